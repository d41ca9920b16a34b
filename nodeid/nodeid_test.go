package nodeid

import (
	"crypto/rand"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	const s = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
	id, err := Parse(s)
	require.NoError(t, err)
	require.Equal(t, s, id.String())
	require.Equal(t, "a448f24c", id.TerminalString())
	id2, err := Parse("0x" + s)
	require.NoError(t, err)
	require.Equal(t, id, id2)

	for _, bad := range []string{"", s[:62], s + "00", "zz" + s[2:], "0x"} {
		_, err := Parse(bad)
		require.ErrorIs(t, err, ErrInvalid, bad)
	}
}

func TestLogDist(t *testing.T) {
	var a ID
	tests := []struct {
		name string
		b    func() ID
		want int
	}{
		{"equal", func() ID { return a }, 0},
		{"last bit", func() ID { b := a; b[31] = 1; return b }, 1},
		{"bit 8", func() ID { b := a; b[31] = 0x80; return b }, 8},
		{"bit 9", func() ID { b := a; b[30] = 1; return b }, 9},
		{"first bit", func() ID { b := a; b[0] = 0x80; return b }, 256},
		{"word boundary", func() ID { b := a; b[23] = 1; b[31] = 0xff; return b }, 65},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, LogDist(a, tt.b()))
			require.Equal(t, tt.want, LogDist(tt.b(), a))
		})
	}
	t.Run("random against big.Int", func(t *testing.T) {
		for i := 0; i < 1000; i++ {
			x, y := randomID(t), randomID(t)
			// Share a random-length prefix so that small distances occur.
			copy(y[:i%32], x[:])
			d := new(big.Int).Xor(new(big.Int).SetBytes(x[:]), new(big.Int).SetBytes(y[:]))
			require.Equal(t, d.BitLen(), LogDist(x, y))
		}
	})
}

func TestDistCmp(t *testing.T) {
	for i := 0; i < 1000; i++ {
		target, a, b := randomID(t), randomID(t), randomID(t)
		copy(a[:i%32], target[:])
		copy(b[:(i/32)%32], target[:])
		if i%7 == 0 {
			b = a
		}
		xa := new(big.Int).Xor(new(big.Int).SetBytes(target[:]), new(big.Int).SetBytes(a[:]))
		xb := new(big.Int).Xor(new(big.Int).SetBytes(target[:]), new(big.Int).SetBytes(b[:]))
		require.Equal(t, xa.Cmp(xb), DistCmp(target, a, b))
	}
}

func randomID(t testing.TB) ID {
	var id ID
	if _, err := rand.Read(id[:]); err != nil {
		t.Fatal(err)
	}
	return id
}

func BenchmarkLogDist(b *testing.B) {
	x, y := randomID(b), randomID(b)
	y[0] = x[0]
	b.ReportAllocs()
	for b.Loop() {
		LogDist(x, y)
	}
}

func TestJSON(t *testing.T) {
	id, err := Parse("a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7")
	require.NoError(t, err)
	b, err := json.Marshal(map[string]ID{"id": id})
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"}`, string(b))
	var back map[string]ID
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, id, back["id"])
	require.ErrorIs(t, json.Unmarshal([]byte(`{"id":"00"}`), &back), ErrInvalid)
}
