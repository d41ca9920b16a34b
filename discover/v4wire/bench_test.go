package v4wire

import "testing"

func BenchmarkEncode(b *testing.B) {
	key := testKey(b)
	for _, p := range samplePackets(b)[:6] {
		b.Run(p.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Encode(key, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	packets := loadPackets(b)
	for _, name := range []string{"geth-ping-no-enrseq", "eip8-pong", "eip8-neighbours"} {
		b.Run(name, func(b *testing.B) {
			input := packets[name]
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := Decode(input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The body alone: what decoding costs before signature recovery.
	b.Run("body/eip8-neighbours", func(b *testing.B) {
		input := packets["eip8-neighbours"]
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decodeBody(input[headSize], input[headSize+1:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
