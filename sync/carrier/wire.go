package carrier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// flexMoney is an amount a 3PL may send as a JSON number (7.36) or a
// decimal string ("7.36"); null or absent is zero. It holds cents.
type flexMoney int64

// UnmarshalJSON accepts a number, a decimal string or null.
func (f *flexMoney) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*f = 0
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		data = []byte(strings.TrimSpace(s))
		if len(data) == 0 {
			*f = 0
			return nil
		}
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("want an amount such as 7.36, got %s", truncate(string(data), 40))
	}
	v, err := n.Float64()
	if err != nil || v < 0 || v > 1e9 {
		return fmt.Errorf("want an amount such as 7.36, got %s", truncate(string(data), 40))
	}
	*f = flexMoney(math.Round(v * 100))
	return nil
}

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

// flexTime is a 3PL timestamp kept raw until the adapter reads it in its
// documented zone (see readTimestamp).
type flexTime []byte

// UnmarshalJSON keeps the raw value; null is empty.
func (f *flexTime) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*f = nil
		return nil
	}
	*f = append((*f)[:0], data...)
	return nil
}

// in reads the timestamp; zone-less text is taken in loc.
func (f flexTime) in(loc *time.Location) (time.Time, error) {
	if len(f) == 0 {
		return time.Time{}, nil
	}
	if f[0] == '"' {
		var s string
		if err := json.Unmarshal(f, &s); err != nil {
			return time.Time{}, err
		}
		return readTimestamp(s, loc)
	}
	var n json.Number
	if err := json.Unmarshal(f, &n); err != nil {
		return time.Time{}, fmt.Errorf("want a timestamp, got %s", truncate(string(f), 40))
	}
	return unixTimestamp(n.String())
}

// Unix timestamps past this many seconds are read as milliseconds: 1e11 s
// is the year 5138, while 1e11 ms is March 1973, before any 3PL order.
const unixMillisAbove = 1e11

// unixTimestamp reads whole or fractional unix seconds, or milliseconds
// when the number is too large to be seconds.
func unixTimestamp(v string) (time.Time, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e14 {
		return time.Time{}, fmt.Errorf("unreadable unix timestamp %s", truncate(v, 40))
	}
	if f > unixMillisAbove {
		ms := int64(f)
		return time.UnixMilli(ms).UTC(), nil
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
}

// zonelessLayouts are the forms without an offset 3PLs send: ShipStation's
// seven-digit fraction, a space for the T, a bare date.
var zonelessLayouts = []string{"2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05.9999999", "2006-01-02"}

// readTimestamp reads a 3PL timestamp: RFC 3339 (its own offset wins), a
// zone-less form taken in loc (the 3PL's documented zone), or unix seconds
// or milliseconds as digits in a string. Empty is the zero time.
func readTimestamp(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	for _, layout := range zonelessLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if strings.Trim(v, "0123456789.") == "" {
		return unixTimestamp(v)
	}
	return time.Time{}, fmt.Errorf("unreadable timestamp %q", truncate(v, 40))
}

// parseTimestamp reads a timestamp whose zone-less forms are UTC (the CSV
// tracking file's convention).
func parseTimestamp(v string) (time.Time, error) { return readTimestamp(v, time.UTC) }

// fieldError names the reply field that could not be read, so the reason
// an operator sees says which one.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// inField wraps err with the field it came from; an error that already
// names a field gets the outer one prefixed (orders[2].shipped_at).
func inField(field string, err error) error {
	if err == nil {
		return nil
	}
	var fe *fieldError
	if errors.As(err, &fe) {
		sep := "."
		if strings.HasPrefix(fe.field, "[") {
			sep = ""
		}
		return &fieldError{field: field + sep + fe.field, err: fe.err}
	}
	return &fieldError{field: field, err: err}
}

// fieldOf returns the reply field a decode error names: ours, or the JSON
// decoder's for a value of the wrong type.
func fieldOf(err error) string {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe.field
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	return ""
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
