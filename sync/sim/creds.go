package sim

import "math/rand/v2"

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// tokenString is a deterministic random string: the same seed gives the same
// credentials on every run, so a config written for a standalone simulator
// keeps working after a restart.
func tokenString(seed int64, salt uint64, n int) string {
	rng := rand.New(rand.NewPCG(uint64(seed)^0xa0761d6478bd642f, salt))
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenAlphabet[rng.IntN(len(tokenAlphabet))]
	}
	return string(b)
}

func hexString(seed int64, salt uint64, n int) string {
	rng := rand.New(rand.NewPCG(uint64(seed)^0xe7037ed1a0b428db, salt))
	const hexDigits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[rng.IntN(16)]
	}
	return string(b)
}

// simShopID is the simulated shop's id (the one in TikTok's webhook sample).
const simShopID = "7495540735365777507"
