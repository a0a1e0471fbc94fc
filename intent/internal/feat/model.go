package feat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Model is a logistic regression over Features with Platt calibration.
type Model struct {
	W         []float32 // len Dim
	A, B      float64   // calibrated probability = sigmoid(A*z + B)
	Threshold float64   // flag when probability >= Threshold
	Signature uint64    // lexicon signature the model was trained with
}

// Signature returns the signature of the compiled-in lexicon.
func Signature() uint64 { return lex.signature }

// Logit returns the raw score w·x.
func (m *Model) Logit(v *Vector) float64 {
	var z float32
	w := m.W
	for i, j := range v.Idx {
		z += w[j] * v.Val[i]
	}
	return float64(z)
}

// Prob returns the calibrated probability for raw score z.
func (m *Model) Prob(z float64) float64 {
	p := sigmoid(m.A*z + m.B)
	if math.IsNaN(p) {
		return 0
	}
	return p
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

const magic = "FMI1"

// MarshalBinary encodes m: a header, then the non-zero weights as
// (uint32 index, float32 weight) pairs in index order, little endian.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(magic)
	le := binary.LittleEndian
	var nz uint32
	for _, w := range m.W {
		if w != 0 {
			nz++
		}
	}
	hdr := []any{m.Signature, math.Float64bits(m.A), math.Float64bits(m.B), math.Float64bits(m.Threshold),
		uint32(NumPattern), uint32(HashBits), nz}
	for _, x := range hdr {
		if err := binary.Write(&buf, le, x); err != nil {
			return nil, err
		}
	}
	var rec [8]byte
	for i, w := range m.W {
		if w != 0 {
			le.PutUint32(rec[:4], uint32(i))
			le.PutUint32(rec[4:], math.Float32bits(w))
			buf.Write(rec[:])
		}
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary.
func (m *Model) UnmarshalBinary(b []byte) error {
	const hdrLen = 4 + 8*4 + 4*3
	if len(b) < hdrLen || string(b[:4]) != magic {
		return errors.New("intent model: bad header")
	}
	le := binary.LittleEndian
	p := b[4:]
	m.Signature = le.Uint64(p)
	m.A = math.Float64frombits(le.Uint64(p[8:]))
	m.B = math.Float64frombits(le.Uint64(p[16:]))
	m.Threshold = math.Float64frombits(le.Uint64(p[24:]))
	np, hb, nz := le.Uint32(p[32:]), le.Uint32(p[36:]), le.Uint32(p[40:])
	if np != NumPattern || hb != HashBits {
		return fmt.Errorf("intent model: layout %d/%d, want %d/%d", np, hb, NumPattern, HashBits)
	}
	p = b[hdrLen:]
	if uint64(len(p)) != uint64(nz)*8 {
		return errors.New("intent model: truncated weights")
	}
	m.W = make([]float32, Dim)
	for k := uint32(0); k < nz; k++ {
		i := le.Uint32(p[k*8:])
		if i >= Dim {
			return errors.New("intent model: weight index out of range")
		}
		m.W[i] = math.Float32frombits(le.Uint32(p[k*8+4:]))
	}
	return nil
}
