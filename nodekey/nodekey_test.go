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

func TestFromFlags(t *testing.T) {
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
		key, err := FromFlags(validHex, "")
		if err != nil || hex.EncodeToString(key.Serialize()) != validHex {
			t.Fatalf("Load = %v, %v", key, err)
		}
	})
	t.Run("file", func(t *testing.T) {
		key, err := FromFlags("", good)
		if err != nil || hex.EncodeToString(key.Serialize()) != validHex {
			t.Fatalf("Load = %v, %v", key, err)
		}
	})
	t.Run("bad file", func(t *testing.T) {
		if _, err := FromFlags("", bad); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("Load = %v, want ErrInvalidKey", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		if _, err := FromFlags("", filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("Load = %v, want ErrNotExist", err)
		}
	})
	t.Run("both", func(t *testing.T) {
		if _, err := FromFlags(validHex, good); !errors.Is(err, ErrBothGiven) {
			t.Fatalf("Load = %v, want ErrBothGiven", err)
		}
	})
	t.Run("generated", func(t *testing.T) {
		a, err := FromFlags("", "")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := FromFlags("", "")
		if a.Key.Equals(&b.Key) {
			t.Fatal("two generated keys are equal")
		}
	})
}

func TestSaveLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodekey")
	key, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(path, key); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if string(b) != Format(key) || len(b) != 64 {
		t.Errorf("file holds %q, want the 64 hex characters of the key", b)
	}
	back, err := Load(path)
	if err != nil || !back.Key.Equals(&key.Key) {
		t.Fatalf("Load = %v, %v", back, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Load = %v, want ErrInvalidKey", err)
	}
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodekey")
	a, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Key.Equals(&b.Key) {
		t.Fatal("second LoadOrCreate returned another key")
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("nonsense"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(bad); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("LoadOrCreate on a bad file = %v, want ErrInvalidKey", err)
	}
	if b, _ := os.ReadFile(bad); string(b) != "nonsense" {
		t.Fatal("a bad key file was overwritten")
	}
}
