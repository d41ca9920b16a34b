package v5wire

import (
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Vectors of discv5-wire-test-vectors.md, "Cryptographic Primitives"
// (ethereum/devp2p cc0d2eb).
const (
	vecChallengeData = "0x000000000000000000000000000000006469736376350001010102030405060708090a0b0c00180102030405060708090a0b0c0d0e0f100000000000000000"
	vecIDA           = "0xaaaa8419e9f49d0083561b48287df592939a8d19947d8c0ef88f2a4856a69fbb"
	vecIDB           = "0xbbbb9d047f0488c0b5a93c1c3f2d8bafc7c8ff337024a55434a0d0555de64db9"
)

func TestVectorECDH(t *testing.T) {
	pub, err := ethcrypto.ParseCompressed(hexBytes(t, "0x039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	require.NoError(t, err)
	priv := keyFromHex(t, "0xfb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	require.Equal(t, hexBytes(t, "0x033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e"), ECDH(priv, pub))
}

func TestVectorKDF(t *testing.T) {
	eph := keyFromHex(t, "0xfb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	dest, err := ethcrypto.ParseCompressed(hexBytes(t, "0x0317931e6e0840220642f230037d285d122bc59063221ef3226b1f403ddc69ca91"))
	require.NoError(t, err)
	keys := DeriveKeys(ECDH(eph, dest), nodeid.ID(hexBytes(t, vecIDA)), nodeid.ID(hexBytes(t, vecIDB)), hexBytes(t, vecChallengeData))
	require.Equal(t, hexBytes(t, "0xdccc82d81bd610f4f76d3ebe97a40571"), keys.InitiatorKey[:])
	require.Equal(t, hexBytes(t, "0xac74bb8773749920b0d3a8881c173ec5"), keys.RecipientKey[:])
}

func TestVectorIDSignature(t *testing.T) {
	key := keyFromHex(t, "0xfb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	eph := hexBytes(t, "0x039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231")
	idB := nodeid.ID(hexBytes(t, vecIDB))
	cd := hexBytes(t, vecChallengeData)
	want := hexBytes(t, "0x94852a1e2318c4e5e9d422c98eaf19d1d90d876b29cd06ca7cb7546d0fff7b484fe86c09a064fe72bdbef73ba8e9c34df0cd2b53e9d65528c2c7f336d5dfc6e6")
	sig, err := SignIDNonce(key, cd, eph, idB)
	require.NoError(t, err)
	require.Equal(t, want, sig)
	require.NoError(t, VerifyIDNonce(key.PubKey(), sig, cd, eph, idB))

	t.Run("high-S", func(t *testing.T) {
		// s' = n - s verifies mathematically but is malleable: rejected.
		var s secp256k1.ModNScalar
		s.SetByteSlice(sig[32:])
		s.Negate()
		high := append([]byte(nil), sig[:32]...)
		sb := s.Bytes()
		high = append(high, sb[:]...)
		require.ErrorIs(t, VerifyIDNonce(key.PubKey(), high, cd, eph, idB), ErrInvalidSignature)
	})
	t.Run("other-recipient", func(t *testing.T) {
		require.ErrorIs(t, VerifyIDNonce(key.PubKey(), sig, cd, eph, nodeid.ID(hexBytes(t, vecIDA))), ErrInvalidSignature)
	})
	t.Run("short", func(t *testing.T) {
		require.ErrorIs(t, VerifyIDNonce(key.PubKey(), sig[:63], cd, eph, idB), ErrInvalidSignature)
	})
}

func TestVectorAESGCM(t *testing.T) {
	key := hexBytes(t, "0x9f2d77db7004bf8a1a85107ac686990b")
	nonce := hexBytes(t, "0x27b5af763c446acd2749fe8e")
	pt := hexBytes(t, "0x01c20101")
	ad := hexBytes(t, "0x93a7400fa0d6a694ebc24d5cf570f65d04215b6ac00757875e3f3a5f42107903")
	want := hexBytes(t, "0xa5d12a2d94b8ccb3ba55558229867dc13bfa3648")
	require.Equal(t, want, encryptGCM(nil, newGCM(key), nonce, pt, ad))
	got, err := decryptGCM(newGCM(key), nonce, want, ad)
	require.NoError(t, err)
	require.Equal(t, pt, got)
	want[0] ^= 1
	_, err = decryptGCM(newGCM(key), nonce, want, ad)
	require.ErrorIs(t, err, ErrDecrypt)
}
