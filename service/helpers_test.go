package service_test

import (
	"testing"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/event"
	"github.com/fairmark/fairmark/sim"
	"github.com/fairmark/fairmark/store"
)

// simulate generates the marketplace cfg describes.
func simulate(t *testing.T, cfg sim.Config) []*fairmark.Event {
	t.Helper()
	evs, _, err := sim.Events(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// incoming encodes evs as store input.
func incoming(t *testing.T, evs []*fairmark.Event) []store.Incoming {
	t.Helper()
	ins := make([]store.Incoming, len(evs))
	for i, e := range evs {
		raw, err := event.Encode(e)
		if err != nil {
			t.Fatal(err)
		}
		ins[i] = store.Incoming{Event: e, Raw: raw}
	}
	return ins
}
