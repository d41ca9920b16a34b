package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// mulAddG sets result = a·G + b·P for a normalised point P (Z = 1).
func mulAddG(a, b *secp256k1.ModNScalar, p, result *secp256k1.JacobianPoint) {
	var aG, bP secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(a, &aG)
	secp256k1.ScalarMultNonConst(b, p, &bP)
	secp256k1.AddNonConst(&aG, &bP, result)
}
