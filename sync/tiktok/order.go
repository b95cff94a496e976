package tiktok

import "fmt"

// InvalidOrderError names an order TikTok sent without a field shipdeck
// cannot do without. The poller refuses the whole page rather than store
// half an order or move its cursor past it.
type InvalidOrderError struct {
	// OrderID is "" when the id itself is missing.
	OrderID string
	// Field is the JSON name of the missing or invalid field.
	Field string
}

// Error names the order (when it has an id) and the field.
func (e *InvalidOrderError) Error() string {
	if e.OrderID == "" {
		return fmt.Sprintf("tiktok order without %s", e.Field)
	}
	return fmt.Sprintf("tiktok order %s: missing or invalid %s", e.OrderID, e.Field)
}

// ValidateOrder checks the fields every order must carry: id, status,
// create_time and update_time (positive Unix seconds). It returns an
// *InvalidOrderError naming the order and the first bad field.
func ValidateOrder(o Order) error {
	id := cleanText(o.ID, maxIDLen)
	switch {
	case o.ID == "":
		return &InvalidOrderError{Field: "id"}
	case o.Status == "":
		return &InvalidOrderError{OrderID: id, Field: "status"}
	case o.CreateTime <= 0:
		return &InvalidOrderError{OrderID: id, Field: "create_time"}
	case o.UpdateTime <= 0:
		return &InvalidOrderError{OrderID: id, Field: "update_time"}
	}
	return nil
}
