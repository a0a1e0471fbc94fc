package store_test

import (
	"testing"
	"time"

	"github.com/fairmark/fairmark/webhook"
	"github.com/fairmark/fairmark/webhook/webhooktest"
)

// TestOutbox runs the webhook outbox conformance suite (the one the
// in-memory outbox passes) on the store.
func TestOutbox(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			webhooktest.TestOutbox(t, func(t *testing.T, now func() time.Time) webhook.Outbox {
				db := open(t)
				db.Now = now
				return db.Outbox()
			})
		})
	}
}
