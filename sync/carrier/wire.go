package carrier

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// flexString is an id a 3PL may send as a JSON string or number; null is
// empty. Anything else is a wrong shape.
type flexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *flexString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*f = ""
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	default:
		var n json.Number
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("want a string or number id, got %s", truncate(string(data), 40))
		}
		*f = flexString(n.String())
		return nil
	}
}

// decodeJSON unmarshals one JSON value into v; an empty body is an error
// so a reply that promised a body but sent none is not taken as success.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("empty body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("not the expected JSON: %w", err)
	}
	return nil
}

// parseTimestamp reads a 3PL timestamp: RFC 3339, or the zone-less forms
// some 3PLs send (taken as UTC), or a bare date. Empty is the zero time.
func parseTimestamp(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable timestamp %q", truncate(v, 40))
}
