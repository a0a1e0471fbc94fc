package engine_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/fairmark/fairmark"
	"github.com/fairmark/fairmark/engine"
)

// BenchmarkState1MBuyers measures the engine's memory for a million buyers,
// each with an opened account, an order and a feedback (one in ten
// negative), across 20,000 sellers: the heap after a collection, with the
// events themselves dropped as they are applied. Reports MB of live heap.
func BenchmarkState1MBuyers(b *testing.B) {
	buyers, sellers := stateBuyers, 20_000

	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		en := engine.New(engine.Config{})
		en.Reserve(buyers+sellers, buyers, buyers)
		at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		n := 0
		apply := func(e *fairmark.Event) {
			n++
			e.ID = fairmark.EventID(fmt.Sprintf("e%08d", n))
			e.At = at
			at = at.Add(time.Second)
			en.ApplyEvent(e)
		}
		for s := range sellers {
			apply(&fairmark.Event{Type: fairmark.AccountOpened, Account: &fairmark.Account{ID: fairmark.AccountID(fmt.Sprintf("s%05d", s)), Role: fairmark.Seller}})
		}
		price, _ := fairmark.ParseDecimal("59.00")
		for i := range buyers {
			id := fairmark.AccountID(fmt.Sprintf("b%07d", i))
			seller := fairmark.AccountID(fmt.Sprintf("s%05d", i%sellers))
			o := fairmark.OrderID(fmt.Sprintf("o%07d", i))
			apply(&fairmark.Event{Type: fairmark.AccountOpened, Account: &fairmark.Account{ID: id, Role: fairmark.Buyer,
				Links: &fairmark.Links{Device: fmt.Sprintf("d%07d", i), IP: fmt.Sprintf("ip%06d", i/3)}}})
			apply(&fairmark.Event{Type: fairmark.OrderPlaced, Order: &fairmark.Order{ID: o, Buyer: id, Seller: seller,
				Item: &fairmark.Item{Category: "phone_case"}, Amount: &fairmark.Money{Value: price, Currency: "CNY"}}})
			r := fairmark.Positive
			if i%10 == 0 {
				r = fairmark.Negative
			}
			apply(&fairmark.Event{Type: fairmark.FeedbackLeft, Feedback: &fairmark.Feedback{ID: fairmark.FeedbackID(fmt.Sprintf("f%07d", i)), Order: o, Buyer: id, Seller: seller, Rating: r}})
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap")
		runtime.KeepAlive(en)
	}
}

// stateBuyers is the number of buyers BenchmarkState1MBuyers simulates;
// tests of the benchmark itself may lower it.
var stateBuyers = 1_000_000
