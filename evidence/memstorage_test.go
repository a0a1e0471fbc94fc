package evidence_test

import (
	"testing"

	"github.com/fairmark/fairmark/evidence"
	"github.com/fairmark/fairmark/evidence/evidencetest"
)

func TestMemStorageConformance(t *testing.T) {
	evidencetest.RunStorageTests(t, func(t *testing.T) evidence.Storage {
		return new(evidence.MemStorage)
	})
}
