package sim

import (
	"math/rand/v2"

	"github.com/fairmark/fairmark"
)

// chaosDelay is the most events a held-back or duplicated event lags.
const chaosDelay = 300

// chaos reorders and duplicates the ordered event stream as
// Config.Shuffle and Config.Duplicates ask. It draws from its own random
// source, so the events themselves are those of the ordered run.
type chaos struct {
	r        *rand.Rand
	shuffle  float64
	dup      float64
	out      func(*fairmark.Event) error
	step     int
	slots    [chaosDelay + 1][]*fairmark.Event
	released int
}

func newChaos(cfg Config, out func(*fairmark.Event) error) *chaos {
	return &chaos{
		r:       rand.New(rand.NewPCG(uint64(cfg.Seed), 0xc4a05)),
		shuffle: cfg.Shuffle,
		dup:     cfg.Duplicates,
		out:     out,
	}
}

// release emits what is due at the current step.
func (c *chaos) release() error {
	i := c.step % len(c.slots)
	for _, e := range c.slots[i] {
		if err := c.out(e); err != nil {
			return err
		}
	}
	c.slots[i] = c.slots[i][:0]
	return nil
}

func (c *chaos) hold(e *fairmark.Event, delay int) {
	i := (c.step + delay) % len(c.slots)
	c.slots[i] = append(c.slots[i], e)
}

func (c *chaos) add(e *fairmark.Event) error {
	c.step++
	if err := c.release(); err != nil {
		return err
	}
	if c.r.Float64() < c.shuffle {
		c.hold(e, 1+c.r.IntN(chaosDelay))
	} else if err := c.out(e); err != nil {
		return err
	}
	if c.r.Float64() < c.dup {
		c.hold(e, 1+c.r.IntN(chaosDelay))
	}
	return nil
}

// close emits everything still held, in the order it was due.
func (c *chaos) close() error {
	for range len(c.slots) {
		c.step++
		if err := c.release(); err != nil {
			return err
		}
	}
	return nil
}
