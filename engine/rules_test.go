package engine

import (
	"reflect"
	"testing"

	"github.com/fairmark/fairmark/rules"
)

// TestFillMatchesFeatureVars: fill sets every variable from its own field.
func TestFillMatchesFeatureVars(t *testing.T) {
	vars := FeatureVars()
	set, err := rules.Parse("t.rules", []byte("version = \"t\"\n"), vars, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var f Features
	fv := reflect.ValueOf(&f).Elem()
	for i := range vars {
		switch fv.Field(i).Kind() {
		case reflect.Int64:
			fv.Field(i).SetInt(int64(1000 + i))
		case reflect.Float64:
			fv.Field(i).SetFloat(float64(i) + 0.5)
		case reflect.Bool:
			fv.Field(i).SetBool(true)
		}
	}
	v := set.NewValues()
	f.fill(v)
	for i, x := range vars {
		var got, want any
		switch x.Type {
		case rules.Int:
			got, want = v.IntAt(i), fv.Field(i).Int()
		case rules.Double:
			got, want = v.DoubleAt(i), fv.Field(i).Float()
		case rules.Bool:
			got, want = v.BoolAt(i), fv.Field(i).Bool()
		}
		if got != want {
			t.Fatalf("variable %d (%s): got %v, want %v", i, x.Name, got, want)
		}
	}
	if len(vars) != fv.NumField() {
		t.Fatalf("%d variables for %d fields", len(vars), fv.NumField())
	}
}
