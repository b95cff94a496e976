package search

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Order lines shaped like the console's: id, buyer email, carrier, SKU,
// city and state, about 55 characters.
var (
	fixtureBuyers   = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yolanda"}
	fixtureDomains  = []string{"shop.io", "mail.com", "example.net", "post.org"}
	fixtureCarriers = []string{"DHL", "UPS", "USPS", "FedEx", "ShipBob", "ShipStation"}
	fixtureProducts = []string{"PEN", "MUG", "TEE", "CAP", "BAG", "INK", "HAT", "SOX"}
	fixtureCities   = []string{"Phoenix AZ", "Austin TX", "Boston MA", "Chicago IL", "Denver CO", "Seattle WA", "Portland OR", "Miami FL", "Atlanta GA", "Dallas TX", "Houston TX", "San Jose CA"}
)

// fixtureOrders returns n deterministic (id, text) pairs.
func fixtureOrders(n int) (ids, texts []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids = make([]string, n)
	texts = make([]string, n)
	for i := range n {
		id := fmt.Sprintf("ORD-%d", 5000000+i)
		ids[i] = id
		texts[i] = fmt.Sprintf("%s %s%d@%s %s SKU-%s-%03d %s",
			id,
			fixtureBuyers[rng.IntN(len(fixtureBuyers))], rng.IntN(1000),
			fixtureDomains[rng.IntN(len(fixtureDomains))],
			fixtureCarriers[rng.IntN(len(fixtureCarriers))],
			fixtureProducts[rng.IntN(len(fixtureProducts))], rng.IntN(1000),
			fixtureCities[rng.IntN(len(fixtureCities))],
		)
	}
	return ids, texts
}

// fixtureIndex returns an index holding ids and texts.
func fixtureIndex(ids, texts []string) *Index {
	ix := New()
	i := 0
	_ = ix.Build(context.Background(), func() (string, string, bool) {
		if i == len(ids) {
			return "", "", false
		}
		i++
		return ids[i-1], texts[i-1], true
	})
	return ix
}
