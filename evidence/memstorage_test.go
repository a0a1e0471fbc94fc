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

func TestMemStorageSharedByTwoLogs(t *testing.T) {
	evidencetest.RunSharedStorageTests(t, func(t *testing.T) (evidence.Storage, evidence.Storage) {
		m := new(evidence.MemStorage)
		return m, m
	})
}
