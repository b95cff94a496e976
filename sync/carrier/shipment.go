package carrier

import "strings"

// validateShipment refuses a shipment no adapter can push safely: without
// an idempotency key a retry could create a second order.
func validateShipment(carrierName string, s Shipment) error {
	switch {
	case strings.TrimSpace(s.IdempotencyKey) == "":
		return &Error{Carrier: carrierName, Op: "push", Class: Permanent, Reason: "shipment has no idempotency key"}
	case strings.TrimSpace(s.ExternalID) == "":
		return &Error{Carrier: carrierName, Op: "push", Class: Permanent, Reason: "shipment has no external id"}
	}
	return nil
}

// validateID refuses an empty 3PL order id before any request is sent.
func validateID(carrierName, op, id string) error {
	if strings.TrimSpace(id) == "" {
		return &Error{Carrier: carrierName, Op: op, Class: Permanent, Reason: "empty order id"}
	}
	return nil
}
