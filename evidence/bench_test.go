package evidence

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// cpuClock reports process CPU time per op (cpu-ns/op) when stopped.
type cpuClock struct{ start time.Duration }

func startCPU() cpuClock { return cpuClock{cpuTime()} }

func (c cpuClock) report(b *testing.B, perOp int) {
	if d := cpuTime() - c.start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N*perOp), "cpu-ns/op")
	}
}

// Targets (docs/benchmarks/evidence.md): >= 50k appends/s on MemStorage,
// an inclusion proof in < 100 µs, verifying a 10,000-record bundle in
// < 100 ms. Benchmarks measure; tests never assert on time.

func benchRecords(n int) []Record {
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = msg(i, convA, orderA)
	}
	return recs
}

func BenchmarkAppendOne(b *testing.B) {
	l, _ := newTestLog(b)
	recs := benchRecords(1024)
	b.ReportAllocs()
	i := 0
	clk := startCPU()
	for b.Loop() {
		if _, err := l.Append(bg, recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	clk.report(b, 1)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkAppendBatch100(b *testing.B) {
	l, _ := newTestLog(b)
	recs := benchRecords(100)
	b.ReportAllocs()
	clk := startCPU()
	for b.Loop() {
		if _, err := l.Append(bg, recs...); err != nil {
			b.Fatal(err)
		}
	}
	clk.report(b, len(recs))
	b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "records/s")
}

// bigLog is a log of 1<<20 records (built once; ~20 s) with a conversation
// of 10,000 of them spread through it.
var bigLog = sync.OnceValues(func() (*Log, error) {
	st := new(MemStorage)
	l, err := Open(bg, st, testSignerOnce())
	if err != nil {
		return nil, err
	}
	l.Now = fakeClock()
	const n, every = 1 << 20, 100
	batch := make([]Record, 0, 1024)
	for i := range n {
		r := msg(i, otherCon)
		if i%every == 0 && i/every < 10000 {
			r.Scopes = []Scope{convA}
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			if _, err := l.Append(bg, batch...); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	if _, err := l.Checkpoint(bg); err != nil {
		return nil, err
	}
	return l, nil
})

func testSignerOnce() *Signer {
	s, _, err := GenerateSigner(bytes.NewReader(bytes.Repeat([]byte{1}, 64)), "fairmark.test/evidence")
	if err != nil {
		panic(err)
	}
	return s
}

func BenchmarkInclusionProof(b *testing.B) {
	l, err := bigLog()
	if err != nil {
		b.Fatal(err)
	}
	size := l.Size()
	b.ReportAllocs()
	i := int64(0)
	clk := startCPU()
	for b.Loop() {
		if _, err := l.InclusionProof(bg, (i*7919)%size, size); err != nil {
			b.Fatal(err)
		}
		i++
	}
	clk.report(b, 1)
}

var bundle10k = sync.OnceValues(func() ([]byte, error) {
	l, err := bigLog()
	if err != nil {
		return nil, err
	}
	bu, err := l.Bundle(bg, convA)
	if err != nil {
		return nil, err
	}
	if len(bu.Records) != 10000 {
		return nil, fmt.Errorf("bundle has %d records", len(bu.Records))
	}
	var buf bytes.Buffer
	if err := WriteBundle(&buf, bu); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

func BenchmarkBundle10k(b *testing.B) {
	l, err := bigLog()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	clk := startCPU()
	for b.Loop() {
		if _, err := l.Bundle(bg, convA); err != nil {
			b.Fatal(err)
		}
	}
	clk.report(b, 1)
}

// bundle10kV1 is the same bundle as a version 1 file.
var bundle10kV1 = sync.OnceValues(func() ([]byte, error) {
	data, err := bundle10k()
	if err != nil {
		return nil, err
	}
	bu, err := ReadBundle(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := WriteBundleV1(&buf, bu); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

// BenchmarkExport10k is `fairmark evidence export` of 10,000 records:
// Bundle and WriteBundle.
func BenchmarkExport10k(b *testing.B) {
	l, err := bigLog()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var buf bytes.Buffer
	clk := startCPU()
	for b.Loop() {
		bu, err := l.Bundle(bg, convA)
		if err != nil {
			b.Fatal(err)
		}
		buf.Reset()
		if err := WriteBundle(&buf, bu); err != nil {
			b.Fatal(err)
		}
	}
	clk.report(b, 1)
	b.ReportMetric(float64(buf.Len()), "bundle-bytes")
}

func BenchmarkVerify10k(b *testing.B) { benchVerify(b, bundle10k) }

// BenchmarkVerify10kV1: the same records as a version 1 file.
func BenchmarkVerify10kV1(b *testing.B) { benchVerify(b, bundle10kV1) }

func benchVerify(b *testing.B, bundle func() ([]byte, error)) {
	data, err := bundle()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	clk := startCPU()
	for b.Loop() {
		sum, err := Verify(data, "")
		if err != nil {
			b.Fatal(err)
		}
		if sum.Records != 10000 {
			b.Fatalf("verified %d records", sum.Records)
		}
	}
	clk.report(b, 1)
}
