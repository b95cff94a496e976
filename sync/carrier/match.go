package carrier

import "fmt"

// CheckOrder refuses a 3PL's view of an order that is not the one asked
// about: another 3PL id than the one requested, another external id (the
// TikTok order id) or another idempotency key (ShipStation's orderKey).
// An empty value on either side is not compared, since not every 3PL
// echoes every field. The error wraps ErrWrongOrder and is Permanent: a
// 3PL that mixes orders up does not fix itself on a retry.
func CheckOrder(carrierName, op string, r Remote, id, externalID, key string) error {
	var what, want, got string
	switch {
	case id != "" && r.ID != "" && r.ID != id:
		what, want, got = "id", id, r.ID
	case externalID != "" && r.ExternalID != "" && r.ExternalID != externalID:
		what, want, got = "external id", externalID, r.ExternalID
	case key != "" && r.Key != "" && r.Key != key:
		what, want, got = "order key", key, r.Key
	default:
		return nil
	}
	return &Error{Carrier: carrierName, Op: op, Class: Permanent, Err: ErrWrongOrder,
		Reason: fmt.Sprintf("refused a reply about another order: asked for %s %s, the 3PL answered with %s %s",
			what, truncate(want, 80), what, truncate(got, 80))}
}
