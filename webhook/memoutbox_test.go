package webhook_test

import (
	"testing"
	"time"

	"github.com/fairmark/fairmark/webhook"
	"github.com/fairmark/fairmark/webhook/webhooktest"
)

func TestMemOutbox(t *testing.T) {
	webhooktest.TestOutbox(t, func(t *testing.T, now func() time.Time) webhook.Outbox {
		return &webhook.MemOutbox{Now: now}
	})
}
