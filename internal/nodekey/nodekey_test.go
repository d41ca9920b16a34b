package nodekey

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const validHex = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"valid", validHex, true},
		{"surrounding whitespace", "  " + validHex + "\n", true},
		{"uppercase", "B71C71A67E1177AD4E901695E1B4B9EE17AE16C6668D313EAC2F96DBCDA3F291", true},
		{"empty", "", false},
		{"short", validHex[:62], false},
		{"long", validHex + "00", false},
		{"0x prefix", "0x" + validHex[:62], false},
		{"not hex", "zz" + validHex[2:], false},
		{"zero", "0000000000000000000000000000000000000000000000000000000000000000", false},
		{"group order", "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", false},
		{"all ff", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := Parse(tt.in)
			if !tt.ok {
				if !errors.Is(err, ErrInvalidKey) {
					t.Fatalf("Parse(%q) = %v, want ErrInvalidKey", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(key.Serialize()); got != validHex {
				t.Fatalf("key %s, want %s", got, validHex)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "nodekey")
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(good, []byte(validHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("nonsense"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("hex", func(t *testing.T) {
		key, err := Load(validHex, "")
		if err != nil || hex.EncodeToString(key.Serialize()) != validHex {
			t.Fatalf("Load = %v, %v", key, err)
		}
	})
	t.Run("file", func(t *testing.T) {
		key, err := Load("", good)
		if err != nil || hex.EncodeToString(key.Serialize()) != validHex {
			t.Fatalf("Load = %v, %v", key, err)
		}
	})
	t.Run("bad file", func(t *testing.T) {
		if _, err := Load("", bad); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("Load = %v, want ErrInvalidKey", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := Load("", filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Load = %v, want ErrNotExist", err)
		}
	})
	t.Run("both", func(t *testing.T) {
		if _, err := Load(validHex, good); !errors.Is(err, ErrBothGiven) {
			t.Fatalf("Load = %v, want ErrBothGiven", err)
		}
	})
	t.Run("generated", func(t *testing.T) {
		a, err := Load("", "")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Load("", "")
		if a.Key.Equals(&b.Key) {
			t.Fatal("two generated keys are equal")
		}
	})
}
