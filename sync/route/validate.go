package route

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// ConfigError is one problem in the routing config. New returns all of
// them at once (joined), so an operator fixes the file in one pass.
type ConfigError struct {
	// Section is "route", "carrier" or "default".
	Section string
	// Index is the entry's position in its section, from 0; -1 for the
	// default carrier. Messages count from 1, as people do.
	Index int
	// Name is the rule's or carrier's name, when it has one.
	Name string
	// Key is the offending key, such as "carrier" or "when.sku".
	Key string
	// Problem says what is wrong and, where it helps, how to fix it.
	Problem string
}

// Error names the entry and the key: `route #2 "books": when.sku: ...`.
func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.Index >= 0 {
		fmt.Fprintf(&b, "%s #%d", e.Section, e.Index+1)
	} else {
		b.WriteString(e.Section)
	}
	if e.Name != "" {
		fmt.Fprintf(&b, " %q", e.Name)
	}
	if e.Key != "" {
		b.WriteString(": ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	return b.String()
}

// validator collects ConfigErrors.
type validator struct{ errs []error }

func (v *validator) add(section string, index int, name, key, format string, args ...any) {
	v.errs = append(v.errs, &ConfigError{Section: section, Index: index, Name: name, Key: key, Problem: fmt.Sprintf(format, args...)})
}

// knownList names the configured carriers for messages.
func knownList(carriers []CarrierInfo) string {
	names := make([]string, 0, len(carriers))
	for _, c := range carriers {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return "none configured"
	}
	return "known: " + strings.Join(names, ", ")
}

// validate checks the whole config and returns every problem joined.
func validate(rules []Rule, carriers []CarrierInfo, defaultCarrier string) error {
	var v validator
	known := make(map[string]bool, len(carriers))
	for i, c := range carriers {
		switch {
		case strings.TrimSpace(c.Name) == "":
			v.add("carrier", i, "", "name", "is empty")
		case known[c.Name]:
			v.add("carrier", i, c.Name, "name", "is listed twice")
		}
		if c.TransitDays < 0 {
			v.add("carrier", i, c.Name, "transit_days", "%d is negative (use 0 for unknown)", c.TransitDays)
		}
		known[c.Name] = true
	}
	if defaultCarrier != "" && !known[defaultCarrier] {
		v.add("default", -1, "", "", "carrier %q is not configured (%s)", defaultCarrier, knownList(carriers))
	}
	if len(rules) == 0 && defaultCarrier == "" {
		v.add("route", -1, "", "", "no rules and no default carrier, so no order would ever be routed; add a [[route]] or a default carrier")
	}

	names := make(map[string]int, len(rules))
	for i, r := range rules {
		if strings.TrimSpace(r.Name) == "" {
			v.add("route", i, "", "name", "is empty (every rule needs a unique name for decisions and the audit trail)")
		} else if j, dup := names[r.Name]; dup {
			v.add("route", i, r.Name, "name", "is already used by route #%d", j+1)
		} else {
			names[r.Name] = i
		}
		validateTargets(&v, i, r, known, carriers)
		validateWhen(&v, i, r)
		if r.When.IsZero() && i < len(rules)-1 {
			v.add("route", i, r.Name, "when", "is empty and matches every order, so the %d rule(s) after it never match; move it last", len(rules)-1-i)
		}
	}
	return errors.Join(v.errs...)
}

// validateTargets checks a rule's carrier and fallbacks.
func validateTargets(v *validator, i int, r Rule, known map[string]bool, carriers []CarrierInfo) {
	switch {
	case strings.TrimSpace(r.Carrier) == "":
		v.add("route", i, r.Name, "carrier", "is empty (a rule must name the carrier it routes to)")
	case !known[r.Carrier]:
		v.add("route", i, r.Name, "carrier", "%q is not configured (%s)", r.Carrier, knownList(carriers))
	}
	seen := []string{r.Carrier}
	for _, f := range r.Fallback {
		switch {
		case !known[f]:
			v.add("route", i, r.Name, "fallback", "%q is not configured (%s)", f, knownList(carriers))
		case slices.Contains(seen, f):
			v.add("route", i, r.Name, "fallback", "%q is already a candidate of this rule", f)
		}
		seen = append(seen, f)
	}
}

// validateWhen checks a rule's conditions.
func validateWhen(v *validator, i int, r Rule) {
	w := r.When
	for _, reg := range w.Region {
		if strings.TrimSpace(reg) == "" {
			v.add("route", i, r.Name, "when.region", "has an empty entry")
		}
	}
	for _, p := range w.PostalPrefix {
		if normPostal(p) == "" {
			v.add("route", i, r.Name, "when.postal_prefix", "has an empty entry")
		}
	}
	for _, p := range w.SKU {
		if strings.TrimSpace(p) == "" {
			v.add("route", i, r.Name, "when.sku", "has an empty pattern")
			continue
		}
		if _, err := path.Match(strings.ToUpper(p), ""); err != nil {
			v.add("route", i, r.Name, "when.sku", "bad pattern %q (%v); use * for any text, ? for one character, [ABC] for a set", p, err)
		}
	}
	if w.MinWeightG < 0 {
		v.add("route", i, r.Name, "when.min_weight_g", "%d is negative", w.MinWeightG)
	}
	if w.MaxWeightG < 0 {
		v.add("route", i, r.Name, "when.max_weight_g", "%d is negative", w.MaxWeightG)
	}
	if w.MaxWeightG > 0 && w.MinWeightG > w.MaxWeightG {
		v.add("route", i, r.Name, "when.min_weight_g", "%d is above max_weight_g %d, so the rule never matches", w.MinWeightG, w.MaxWeightG)
	}
	if w.MinValueCents < 0 {
		v.add("route", i, r.Name, "when.min_value_cents", "%d is negative", w.MinValueCents)
	}
	if w.MaxValueCents < 0 {
		v.add("route", i, r.Name, "when.max_value_cents", "%d is negative", w.MaxValueCents)
	}
	if w.MaxValueCents > 0 && w.MinValueCents > w.MaxValueCents {
		v.add("route", i, r.Name, "when.min_value_cents", "%d is above max_value_cents %d, so the rule never matches", w.MinValueCents, w.MaxValueCents)
	}
}
