package dnsdisc

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The example zone of dnsdisc.md (ethereum/devp2p 2cf4514), as go-ethereum's
// TestClientSyncTree serves it under the domain "n". Its root is signed by
// testKey, whose URL is exampleURL; the spec's own URL (AM5FCQ…) names a
// different key.
var exampleZone = map[string]string{
	"n":                            "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA",
	"C7HRFPF3BLGF3YR4DY5KX3SMBE.n": "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org",
	"JWXYDBPXYWG6FX3GMDIBFA6CJ4.n": "enrtree-branch:2XS2367YHAXJFGLZHVAWLQD4ZY,H4FHT4B454P6UXFD7JCYQ5PWDY,MHTDO6TMUBRIA2XWG5LUDACK24",
	"2XS2367YHAXJFGLZHVAWLQD4ZY.n": "enr:-HW4QOFzoVLaFJnNhbgMoDXPnOvcdVuj7pDpqRvh6BRDO68aVi5ZcjB3vzQRZH2IcLBGHzo8uUN3snqmgTiE56CH3AMBgmlkgnY0iXNlY3AyNTZrMaECC2_24YYkYHEgdzxlSNKQEnHhuNAbNlMlWJxrJxbAFvA",
	"H4FHT4B454P6UXFD7JCYQ5PWDY.n": "enr:-HW4QAggRauloj2SDLtIHN1XBkvhFZ1vtf1raYQp9TBW2RD5EEawDzbtSmlXUfnaHcvwOizhVYLtr7e6vw7NAf6mTuoCgmlkgnY0iXNlY3AyNTZrMaECjrXI8TLNXU0f8cthpAMxEshUyQlK-AM0PW2wfrnacNI",
	"MHTDO6TMUBRIA2XWG5LUDACK24.n": "enr:-HW4QLAYqmrwllBEnzWWs7I5Ev2IAs7x_dZlbYdRdMUx5EyKHDXp7AV5CkuPGUPdvbv1_Ms1CPfhcGCvSElSosZmyoqAgmlkgnY0iXNlY3AyNTZrMaECriawHKWdDRk2xeZkrOXBQ0dfMFLHY4eENZwdufn1S1o",
}

const (
	exampleURL     = "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n"
	specURL        = "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@nodes.example.org"
	exampleNodeIDs = "026338a8eb9c7bf8141aa28d4d938faa6a23eb46fde25b21f02ad1fe12ecc6ca 16f95ab04657103d5c2ff0a17547999345b22652d9f74ef6f14a72a5f7cff4e2 ec9e57753dbd7a5d0c6c0b34ec6ad66cee0237b9d034d77cd135ebe5b814aba6"
)

func TestExampleZoneHashes(t *testing.T) {
	for name, text := range exampleZone {
		h, _, ok := strings.Cut(name, ".")
		if !ok {
			continue
		}
		t.Run(h, func(t *testing.T) {
			require.Equal(t, h, hashOf(text))
			require.NoError(t, checkHash(h, text))
		})
	}
}

func TestExampleZoneRoot(t *testing.T) {
	root, err := parseRoot(exampleZone["n"])
	require.NoError(t, err)
	require.Equal(t, "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1", root.signedText())
	h := root.sigHash()
	require.Equal(t, "6a22c037f4ed30abb1def698620fe21e997ab7cbbc9cd8e6167dfb0d75fa32a4", hex.EncodeToString(h[:]))
	require.Equal(t, exampleZone["n"], root.String())

	good, err := ParseURL(exampleURL)
	require.NoError(t, err)
	require.True(t, root.verify(good.Pubkey), "signed by the key of %s", exampleURL)
	spec, err := ParseURL(specURL)
	require.NoError(t, err)
	require.False(t, root.verify(spec.Pubkey), "the spec's URL names another key")

	// RFC 6979 signing is deterministic: re-signing gives the same sig.
	tree := &Tree{root: &rootEntry{eroot: root.eroot, lroot: root.lroot, seq: root.seq}, entries: map[string]entry{}}
	url, err := tree.Sign(testKey(t), "n")
	require.NoError(t, err)
	require.Equal(t, exampleURL, url)
	require.Equal(t, exampleZone["n"], tree.root.String())
}

// TestParseRoot holds go-ethereum's TestParseRoot cases (p2p/dnsdisc/tree_test.go).
func TestParseRoot(t *testing.T) {
	tests := []struct {
		name, in string
		err      error
	}{
		{"no l=", "enrtree-root:v1 e=TO4Q75OQ2N7DX4EOOR7X66A6OM seq=3 sig=N-YY6UB9xD0hFx1Gmnt7v0RfSxch5tKyry2SRDoLx7B4GfPXagwLxQqyf7gAMvApFn_ORwZQekMWa_pXrcGCtw", ErrSyntax},
		{"64-byte sig", "enrtree-root:v1 e=TO4Q75OQ2N7DX4EOOR7X66A6OM l=TO4Q75OQ2N7DX4EOOR7X66A6OM seq=3 sig=N-YY6UB9xD0hFx1Gmnt7v0RfSxch5tKyry2SRDoLx7B4GfPXagwLxQqyf7gAMvApFn_ORwZQekMWa_pXrcGCtw", ErrInvalidSig},
		{"ok", "enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE", nil},
		{"double space", "enrtree-root:v1  e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE", ErrSyntax},
		{"seq leading zero", "enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=03 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE", ErrSyntax},
		{"seq negative", "enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=-3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE", ErrSyntax},
		{"lower-case hash", "enrtree-root:v1 e=qft4pbcrx4xqcv3vuyj6btcepu l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE", ErrInvalidHash},
		{"sig padded", "enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE=", ErrInvalidSig},
		{"trailing field", "enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE x=1", ErrSyntax},
		{"too large", rootPrefix + " e=" + strings.Repeat("A", 500), ErrRecordTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseRoot(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "QFT4PBCRX4XQCV3VUYJ6BTCEPU", e.eroot)
			require.Equal(t, "JGUFMSAGI7KZYB3P7IZW4S5Y3A", e.lroot)
			require.Equal(t, uint64(3), e.seq)
			require.Equal(t, "dc5997b95c296bc63b3acb594f1f4f21bd66b7c16b5bb5690ce16fe006860ac6761081e686b69685ee0dc588500e5c393237855d831b263b0f78a947ce62511101", hex.EncodeToString(e.sig[:]))
			require.Equal(t, tt.in, e.String())
		})
	}
}

// TestParseEntry holds go-ethereum's TestParseEntry cases and our own.
func TestParseEntry(t *testing.T) {
	tests := []struct {
		name, in string
		err      error
		children int
	}{
		{"branch bad child", "enrtree-branch:1,2", ErrInvalidHash, 0},
		{"branch child 33 bytes", "enrtree-branch:" + strings.Repeat("A", 53), ErrInvalidHash, 0},
		{"branch empty", "enrtree-branch:", nil, 0},
		{"branch 12-byte child", "enrtree-branch:AAAAAAAAAAAAAAAAAAAA", nil, 1},
		{"branch two children", "enrtree-branch:AAAAAAAAAAAAAAAAAAAA,BBBBBBBBBBBBBBBBBBBB", nil, 2},
		{"branch empty child", "enrtree-branch:AAAAAAAAAAAAAAAAAAAA,", ErrInvalidHash, 0},
		{"branch lower-case child", "enrtree-branch:aaaaaaaaaaaaaaaaaaaa", ErrInvalidHash, 0},
		{"link ok", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org", nil, 0},
		{"link no key", "enrtree://nodes.example.org", ErrInvalidLink, 0},
		{"link key 29 bytes", "enrtree://AP62DT7WOTEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57@nodes.example.org", ErrInvalidLink, 0},
		{"link key off curve", "enrtree://AP62DT7WONEQZGQZOU474PP3KMEGVTTE7A7NPRXKX3DUD57TQHGIA@nodes.example.org", ErrInvalidLink, 0},
		{"link bad domain", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes..org", ErrInvalidLink, 0},
		{"link no domain", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@", ErrInvalidLink, 0},
		{"enr padded base64", "enr:-HW4QLZHjM4vZXkbp-5xJoHsKSbE7W39FPC8283X-y8oHcHPTnDDlIlzL5ArvDUlHZVDPgmFASrh7cWgLOLxj4wprRkHgmlkgnY0iXNlY3AyNTZrMaEC3t2jLMhDpCDX5mbSEwDn4L3iUfyXzoO8G28XvjGRkrAg=", ErrInvalidENR, 0},
		{"enr std base64", "enr:+HW4QLZHjM4vZXkbp-5xJoHsKSbE7W39FPC8283X-y8oHcHPTnDDlIlzL5ArvDUlHZVDPgmFASrh7cWgLOLxj4wprRkHgmlkgnY0iXNlY3AyNTZrMaEC3t2jLMhDpCDX5mbSEwDn4L3iUfyXzoO8G28XvjGRkrAg", ErrInvalidENR, 0},
		{"enr garbage", "enr:-----", ErrInvalidENR, 0},
		{"enr ok", "enr:-HW4QES8QIeXTYlDzbfr1WEzE-XKY4f8gJFJzjJL-9D7TC9lJb4Z3JPRRz1lP4pL_N_QpT6rGQjAU9Apnc-C1iMP36OAgmlkgnY0iXNlY3AyNTZrMaED5IdwfMxdmR8W37HqSFdQLjDkIwBd4Q_MjxgZifgKSdM", nil, 0},
		{"empty", "", ErrUnknownEntry, 0},
		{"foo", "foo", ErrUnknownEntry, 0},
		{"enrtree", "enrtree", ErrUnknownEntry, 0},
		{"enrtree-x", "enrtree-x=", ErrUnknownEntry, 0},
		{"root is not an entry", exampleZone["n"], ErrUnknownEntry, 0},
		{"too large", "enrtree-branch:" + strings.Repeat("AAAAAAAAAAAAAAAAAAAA,", 30), ErrRecordTooLarge, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := parseEntry(tt.in)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.in, e.String(), "entry text is kept exactly")
			if b, ok := e.(*branchEntry); ok {
				require.Len(t, b.children, tt.children)
			}
		})
	}
}

func TestParseURL(t *testing.T) {
	l, err := ParseURL(exampleURL)
	require.NoError(t, err)
	require.Equal(t, "n", l.Domain)
	require.Equal(t, testKey(t).PubKey().SerializeCompressed(), l.Pubkey.SerializeCompressed())
	require.Equal(t, exampleURL, l.String())

	for _, bad := range []string{
		"", "enrtree:/AKPY@n", "https://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n",
		"enrtree://akpyqiuqil7psiaci32j7fgzw56e5fkhefccofhilbimw3m6lwxs2@n",
		"enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n x",
		"enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@" + strings.Repeat("a.", 127) + "a",
	} {
		_, err := ParseURL(bad)
		require.ErrorIs(t, err, ErrInvalidLink, "%q", bad)
	}
}

// TestBadBase32 covers hash labels and keys that are not canonical
// upper-case base32.
func TestBadBase32(t *testing.T) {
	for _, h := range []string{
		"JWXYDBPXYWG6FX3GMDIBFA6CJ4=", "jwxydbpxywg6fx3gmdibfa6cj4", "JWXYDBPXYWG6FX3GMDIBFA6CJ1",
		"JWXYDBPXYWG6FX3GMDIB", // 12 bytes + 4 bits: fine in length, but …
	} {
		_, err := decodeHash(h)
		if h == "JWXYDBPXYWG6FX3GMDIB" {
			require.NoError(t, err, "a 12-byte prefix is a valid label")
			continue
		}
		require.ErrorIs(t, err, ErrInvalidHash, "%q", h)
	}
}

// TestBadBase64 covers root signatures and records that are not base64url
// without padding.
func TestBadBase64(t *testing.T) {
	root := exampleZone["n"]
	for name, text := range map[string]string{
		"sig std alphabet": strings.Replace(root, "__", "//", 1),
		"sig padded":       root + "==",
		"sig bad char":     strings.Replace(root, "sig=o9", "sig=o*", 1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseRoot(text)
			require.ErrorIs(t, err, ErrInvalidSig)
		})
	}
	_, err := parseEntry("enr:-HW4Q*Fz")
	require.ErrorIs(t, err, ErrInvalidENR)
}

func FuzzParseEntry(f *testing.F) {
	for _, text := range exampleZone {
		f.Add(text)
	}
	f.Add("enrtree-branch:")
	f.Add("enrtree-branch:AAAAAAAAAAAAAAAAAAAA,BBBBBBBBBBBBBBBBBBBB")
	f.Add("enrtree-root:v1 e=QFT4PBCRX4XQCV3VUYJ6BTCEPU l=JGUFMSAGI7KZYB3P7IZW4S5Y3A seq=3 sig=3FmXuVwpa8Y7OstZTx9PIb1mt8FrW7VpDOFv4AaGCsZ2EIHmhraWhe4NxYhQDlw5MjeFXYMbJjsPeKlHzmJREQE")
	f.Fuzz(func(t *testing.T, text string) {
		if e, err := parseEntry(text); err == nil {
			if e.String() != text {
				t.Fatalf("entry %q prints as %q", text, e.String())
			}
			if len(text) > MaxRecordSize {
				t.Fatalf("accepted %d bytes", len(text))
			}
		}
		if r, err := parseRoot(text); err == nil {
			if r.String() != text {
				t.Fatalf("root %q prints as %q", text, r.String())
			}
		}
		if l, err := ParseURL(text); err == nil && l.String() != text {
			t.Fatalf("URL %q prints as %q", text, l.String())
		}
	})
}
