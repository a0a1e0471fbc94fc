package evidence

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the committed fuzz seed corpus under testdata/fuzz")

// TestFuzzSeedCorpus checks the committed seed corpus exists and, with
// -update-fuzz-seeds, regenerates it from a freshly built bundle.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzVerify")
	if *updateSeeds {
		data, _ := buildBundle(t)
		small, _ := func() ([]byte, *Log) {
			l, _ := newTestLog(t)
			mustAppend(t, l, msg(0, convA))
			b, err := l.Bundle(bg, convA)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			WriteBundle(&buf, b)
			return buf.Bytes(), l
		}()
		seeds := map[string][]byte{
			"valid":     data,
			"valid-one": small,
			"truncated": data[:len(data)/3],
			"edited":    bytes.Replace(data, []byte(`"m2"`), []byte(`"m9"`), 1),
			"empty":     {},
			"null":      []byte("null"),
			"records":   []byte(`{"format":"fairmark-evidence-bundle/v1","records":[{"leaf":-1},{"leaf":9223372036854775807,"proof":["AAAA"]}]}`),
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) < 5 {
		t.Fatalf("seed corpus %s: %d files, %v; run go test -run TestFuzzSeedCorpus -update-fuzz-seeds", dir, len(ents), err)
	}
}

// FuzzVerify: Verify never panics, and a bundle it accepts really has the
// records the summary counts.
func FuzzVerify(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		sum, err := Verify(data, "")
		if err != nil {
			if _, ok := err.(*VerifyError); !ok {
				t.Fatalf("Verify error %T is not a *VerifyError: %v", err, err)
			}
			return
		}
		b, err := ReadBundle(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Verify accepted a bundle ReadBundle rejects: %v", err)
		}
		if sum.Records != len(b.Records) || sum.Size <= 0 {
			t.Fatalf("summary %+v for %d records", sum, len(b.Records))
		}
	})
}

// FuzzParseCheckpointText: the parser never panics and what it accepts
// formats back to a prefix of its input.
func FuzzParseCheckpointText(f *testing.F) {
	f.Add("fairmark.test/evidence\n26\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
	f.Add("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n")
	f.Add("o\n05\nAAAA\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCheckpointText(text)
		if err != nil {
			return
		}
		if got := c.Text(); len(got) > len(text) || text[:len(got)] != got {
			t.Fatalf("ParseCheckpointText(%q) = %+v formats as %q", text, c, got)
		}
	})
}
