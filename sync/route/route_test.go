package route

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
)

// Wed 26 Nov 2025, 10:00 UTC.
var wed = time.Date(2025, 11, 26, 10, 0, 0, 0, time.UTC)

// Tue 2 Dec 2025, end of day UTC.
var dueTue = time.Date(2025, 12, 2, 23, 59, 0, 0, time.UTC)

var testCarriers = []CarrierInfo{
	{Name: "swift", TransitDays: 2},
	{Name: "steady", TransitDays: 5},
	{Name: "economy", TransitDays: 7},
	{Name: "bulk"}, // transit unknown: never checked
}

var testRules = []Rule{
	{Name: "west-books", When: When{Country: "US", Region: []string{"CA", "OR"}, SKU: []string{"BOOK-*"}}, Carrier: "swift", Fallback: []string{"steady"}},
	{Name: "heavy", When: When{MinWeightG: 2001}, Carrier: "bulk"},
	{Name: "ny-zip", When: When{PostalPrefix: []string{"10"}}, Carrier: "steady", Fallback: []string{"swift"}},
	{Name: "high-value", When: When{MinValueCents: 20000}, Carrier: "swift"},
	{Name: "cheap-light", When: When{MaxWeightG: 500, MaxValueCents: 1000}, Carrier: "economy"},
	{Name: "uk", When: When{Country: "GB", PostalPrefix: []string{"SW1A"}}, Carrier: "economy", Fallback: []string{"steady"}},
}

// ord builds an order shipped to country/region/postal with the given
// lines; each line is one unit.
func ord(country, region, postal string, lines ...store.LineItem) store.Order {
	return store.Order{
		ID:        "576000001",
		Recipient: store.Address{Country: country, Region: region, PostalCode: postal},
		LineItems: lines,
	}
}

func item(sku string, grams int, cents int64) store.LineItem {
	return store.LineItem{SKU: sku, Quantity: 1, WeightGrams: grams, PriceCents: cents}
}

func mustRouter(t *testing.T, rules []Rule, def string, opts ...Option) *Router {
	t.Helper()
	r, err := New(rules, testCarriers, def, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func TestRouteMatchesEachCondition(t *testing.T) {
	r := mustRouter(t, testRules, "steady")
	tests := []struct {
		name    string
		order   store.Order
		rule    string
		carrier string
	}{
		{"country+region+sku", ord("US", "CA", "94105", item("BOOK-NEBULA", 400, 1500)), "west-books", "swift"},
		{"region case-insensitive", ord("us", "or", "97201", item("book-atlas", 400, 1500)), "west-books", "swift"},
		{"region outside list", ord("US", "WA", "98101", item("BOOK-NEBULA", 400, 1500)), "default", "steady"},
		{"country mismatch", ord("CA", "CA", "94105", item("BOOK-NEBULA", 400, 1500)), "default", "steady"},
		{"mixed order fails sku (every line must match)", ord("US", "CA", "94105", item("BOOK-NEBULA", 400, 1500), item("MUG-1", 300, 900)), "default", "steady"},
		{"no line items never match sku", ord("US", "CA", "94105"), "cheap-light", "economy"},
		{"min weight inclusive", ord("US", "TX", "73301", item("ANVIL", 2001, 5000)), "heavy", "bulk"},
		{"weight just under min", ord("US", "TX", "73301", item("ANVIL", 2000, 5000)), "default", "steady"},
		{"weight counts quantity", ord("US", "TX", "73301", store.LineItem{SKU: "BRICK", Quantity: 3, WeightGrams: 700, PriceCents: 100}), "heavy", "bulk"},
		{"postal prefix", ord("US", "NY", "10001", item("MUG-1", 600, 1500)), "ny-zip", "steady"},
		{"postal prefix mismatch", ord("US", "NJ", "07001", item("MUG-1", 600, 1500)), "default", "steady"},
		{"min value inclusive", ord("US", "TX", "73301", item("WATCH", 100, 20000)), "high-value", "swift"},
		{"value just under min", ord("US", "TX", "73301", item("WATCH", 600, 19999)), "default", "steady"},
		{"max weight and max value inclusive", ord("US", "TX", "73301", item("STICKER", 500, 1000)), "cheap-light", "economy"},
		{"over max value", ord("US", "TX", "73301", item("STICKER", 500, 1001)), "default", "steady"},
		{"postal spaces and case ignored", ord("GB", "", "sw1a 1aa", item("MUG-1", 600, 1500)), "uk", "economy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := r.Route(tc.order, wed, nil)
			if !d.OK || d.Rule != tc.rule || d.Carrier != tc.carrier {
				t.Errorf("Route = %+v, want rule %q carrier %q", d, tc.rule, tc.carrier)
			}
		})
	}
}

func TestRouteFirstMatchWins(t *testing.T) {
	// Matches west-books, heavy (2500 g) and high-value: the first listed wins.
	o := ord("US", "CA", "94105", item("BOOK-SET", 2500, 30000))
	d := mustRouter(t, testRules, "").Route(o, wed, nil)
	if d.Rule != "west-books" || d.Carrier != "swift" {
		t.Errorf("got rule %q carrier %q, want west-books/swift", d.Rule, d.Carrier)
	}
	// Moving heavy first changes the answer.
	reordered := append([]Rule{testRules[1], testRules[0]}, testRules[2:]...)
	d = mustRouter(t, reordered, "").Route(o, wed, nil)
	if d.Rule != "heavy" || d.Carrier != "bulk" {
		t.Errorf("reordered: got rule %q carrier %q, want heavy/bulk", d.Rule, d.Carrier)
	}
}

func TestRouteDeliverByFeasibility(t *testing.T) {
	r := mustRouter(t, testRules, "steady")
	withDue := func(o store.Order, due time.Time) store.Order { o.DeliveryDueTime = due; return o }
	ny := ord("US", "NY", "10001", item("MUG-1", 600, 1500))
	tests := []struct {
		name     string
		order    store.Order
		now      time.Time
		ok       bool
		carrier  string
		skipped  []string
		reason   string
		hintWord string
	}{
		{"no due date: first candidate", ny, wed, true, "steady", nil, "", ""},
		{"slow first choice falls back", withDue(ny, dueTue), wed, true, "swift",
			[]string{"steady"}, "steady: 5 transit days miss delivery due Tue 2 Dec (arrives Wed 3 Dec)", ""},
		{"due on arrival day is met", withDue(ny, time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC)), wed, true, "steady", nil, "", ""},
		{"nothing fast enough", withDue(ny, time.Date(2025, 11, 27, 12, 0, 0, 0, time.UTC)), wed, false, "",
			[]string{"steady", "swift"}, `no carrier of rule "ny-zip" fits: steady: 5 transit days miss delivery due Thu 27 Nov (arrives Wed 3 Dec); swift: 2 transit days miss delivery due Thu 27 Nov (arrives Fri 28 Nov)`, "re-route to a faster carrier"},
		{"weekend skipped: Friday plus 2 is Tuesday", withDue(ny, time.Date(2025, 12, 1, 18, 0, 0, 0, time.UTC)),
			time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC), false, "", []string{"steady", "swift"}, "swift: 2 transit days miss delivery due Mon 1 Dec (arrives Tue 2 Dec)", ""},
		{"unknown transit is never skipped", withDue(ord("US", "TX", "73301", item("ANVIL", 5000, 100)), wed.Add(-48*time.Hour)), wed, true, "bulk", nil, "", ""},
		{"default carrier checked too", withDue(ord("US", "WA", "98101", item("MUG-1", 600, 1500)), dueTue), wed, false, "",
			[]string{"steady"}, "the default carrier does not fit: steady: 5 transit days", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := r.Route(tc.order, tc.now, nil)
			if d.OK != tc.ok || d.Carrier != tc.carrier {
				t.Fatalf("Route = %+v, want ok=%v carrier %q", d, tc.ok, tc.carrier)
			}
			var skipped []string
			for _, s := range d.Skipped {
				skipped = append(skipped, s.Carrier)
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped %v, want %v", skipped, tc.skipped)
			}
			if !strings.Contains(d.Reason, tc.reason) || (tc.reason == "" && d.Reason != "") {
				t.Errorf("reason %q, want it to contain %q", d.Reason, tc.reason)
			}
			if !strings.Contains(d.Reason, tc.hintWord) {
				t.Errorf("reason %q lacks the operator hint %q", d.Reason, tc.hintWord)
			}
			if d.Retry {
				t.Errorf("transit-only failure marked retryable")
			}
		})
	}
}

func TestRouteDatesInShopZone(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	o := ord("US", "NY", "10001", item("MUG-1", 600, 1500))
	// 03:00 UTC Wed 3 Dec is still Tue 2 Dec in Los Angeles.
	o.DeliveryDueTime = time.Date(2025, 12, 3, 3, 0, 0, 0, time.UTC)
	if d := mustRouter(t, testRules, "").Route(o, wed, nil); d.Carrier != "steady" {
		t.Errorf("UTC dates: carrier %q, want steady (arrives Wed 3 Dec, due Wed 3 Dec)", d.Carrier)
	}
	d := mustRouter(t, testRules, "", InLocation(la)).Route(o, wed, nil)
	if d.Carrier != "swift" || !strings.Contains(d.Reason, "due Tue 2 Dec") {
		t.Errorf("LA dates: %+v, want swift after steady misses Tue 2 Dec", d)
	}
}

func TestRouteSkipCallback(t *testing.T) {
	r := mustRouter(t, testRules, "steady")
	books := ord("US", "CA", "94105", item("BOOK-NEBULA", 400, 1500))
	var asked []string
	open := func(names ...string) func(string) (bool, string) {
		return func(c string) (bool, string) {
			asked = append(asked, c)
			if slices.Contains(names, c) {
				return true, "circuit open (6 of the last 10 calls failed)"
			}
			return false, ""
		}
	}

	asked = nil
	d := r.Route(books, wed, open("swift"))
	if !d.OK || d.Carrier != "steady" || d.Reason != "swift: circuit open (6 of the last 10 calls failed)" || !d.Skipped[0].Unavailable {
		t.Errorf("swift open: %+v", d)
	}
	if !slices.Equal(asked, []string{"swift", "steady"}) {
		t.Errorf("skip asked about %v", asked)
	}

	asked = nil
	d = r.Route(books, wed, open("swift", "steady"))
	if d.OK || !d.Retry || !strings.Contains(d.Reason, "retried when a circuit closes") {
		t.Errorf("all open: %+v", d)
	}

	// An infeasible candidate is never offered to skip (it would waste a
	// half-open probe), and skip stops being asked once one is chosen.
	asked = nil
	ny := ord("US", "NY", "10001", item("MUG-1", 600, 1500))
	ny.DeliveryDueTime = dueTue
	d = r.Route(ny, wed, open())
	if d.Carrier != "swift" || !slices.Equal(asked, []string{"swift"}) {
		t.Errorf("asked %v, decision %+v", asked, d)
	}

	// Mixed: steady too slow, swift open: retryable, both reasons given.
	d = r.Route(ny, wed, open("swift"))
	if d.OK || !d.Retry || !strings.Contains(d.Reason, "steady: 5 transit days") || !strings.Contains(d.Reason, "swift: circuit open") {
		t.Errorf("mixed: %+v", d)
	}

	// A skip without a reason still says something.
	d = r.Route(books, wed, func(c string) (bool, string) { return c == "swift", "" })
	if d.Reason != "swift: unavailable" {
		t.Errorf("empty why: %q", d.Reason)
	}
}

func TestRouteDefaults(t *testing.T) {
	fr := ord("FR", "", "75001", item("MUG-1", 600, 1500))
	t.Run("default carrier", func(t *testing.T) {
		d := mustRouter(t, testRules, "steady").Route(fr, wed, nil)
		if !d.OK || d.Rule != DefaultRuleName || d.Carrier != "steady" || !slices.Equal(d.Candidates, []string{"steady"}) {
			t.Errorf("%+v", d)
		}
	})
	t.Run("catch-all rule last", func(t *testing.T) {
		rules := append(slices.Clone(testRules), Rule{Name: "everything-else", Carrier: "economy", Fallback: []string{"steady"}})
		d := mustRouter(t, rules, "steady").Route(fr, wed, nil)
		if d.Rule != "everything-else" || d.Carrier != "economy" {
			t.Errorf("%+v", d)
		}
	})
	t.Run("no match and no default", func(t *testing.T) {
		d := mustRouter(t, testRules, "").Route(fr, wed, nil)
		want := "no routing rule matches (country FR, region -, postal 75001, 600 g, value 15.00, SKUs MUG-1) and no default carrier is set"
		if d.OK || d.Rule != "" || !strings.HasPrefix(d.Reason, want) {
			t.Errorf("%+v\nwant reason starting %q", d, want)
		}
	})
	t.Run("fallbacks do not reach the default", func(t *testing.T) {
		o := ord("US", "TX", "73301", item("WATCH", 100, 30000)) // high-value: swift only
		d := mustRouter(t, testRules, "steady").Route(o, wed, func(c string) (bool, string) { return c == "swift", "circuit open" })
		if d.OK || !slices.Equal(d.Candidates, []string{"swift"}) {
			t.Errorf("%+v", d)
		}
	})
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name     string
		rules    []Rule
		carriers []CarrierInfo
		def      string
		want     []string
	}{
		{"unknown carrier", []Rule{{Name: "a", When: When{Country: "US"}, Carrier: "ghost"}}, testCarriers, "",
			[]string{`route #1 "a": carrier: "ghost" is not configured (known: swift, steady, economy, bulk)`}},
		{"unknown fallback", []Rule{{Name: "a", Carrier: "swift", Fallback: []string{"steady", "nope"}}}, testCarriers, "",
			[]string{`route #1 "a": fallback: "nope" is not configured`}},
		{"fallback repeats carrier", []Rule{{Name: "a", Carrier: "swift", Fallback: []string{"swift"}}}, testCarriers, "",
			[]string{`route #1 "a": fallback: "swift" is already a candidate`}},
		{"empty rule", []Rule{{Name: "a", When: When{Country: "US"}, Carrier: "swift"}, {}}, testCarriers, "",
			[]string{`route #2: name: is empty`, `route #2: carrier: is empty`}},
		{"duplicate name", []Rule{{Name: "a", When: When{Country: "US"}, Carrier: "swift"}, {Name: "a", Carrier: "steady"}}, testCarriers, "",
			[]string{`route #2 "a": name: is already used by route #1`}},
		{"bad sku pattern", []Rule{{Name: "books", When: When{SKU: []string{"BOOK-*", "BOOK-["}}, Carrier: "swift"}}, testCarriers, "",
			[]string{`route #1 "books": when.sku: bad pattern "BOOK-["`}},
		{"bad pattern after a star", []Rule{{Name: "books", When: When{SKU: []string{"*[z-a"}}, Carrier: "swift"}}, testCarriers, "",
			[]string{`when.sku: bad pattern "*[z-a"`}},
		{"empty sku pattern", []Rule{{Name: "books", When: When{SKU: []string{" "}}, Carrier: "swift"}}, testCarriers, "",
			[]string{`when.sku: has an empty pattern`}},
		{"empty region and postal entries", []Rule{{Name: "r", When: When{Region: []string{""}, PostalPrefix: []string{" "}}, Carrier: "swift"}}, testCarriers, "",
			[]string{`when.region: has an empty entry`, `when.postal_prefix: has an empty entry`}},
		{"weight bounds", []Rule{{Name: "w", When: When{MinWeightG: 3000, MaxWeightG: 2000}, Carrier: "swift"}, {Name: "n", When: When{MaxWeightG: -1}, Carrier: "swift"}}, testCarriers, "",
			[]string{`route #1 "w": when.min_weight_g: 3000 is above max_weight_g 2000`, `route #2 "n": when.max_weight_g: -1 is negative`}},
		{"value bounds", []Rule{{Name: "v", When: When{MinValueCents: 5000, MaxValueCents: 100}, Carrier: "swift"}, {Name: "n", When: When{MinValueCents: -5}, Carrier: "swift"}}, testCarriers, "",
			[]string{`when.min_value_cents: 5000 is above max_value_cents 100`, `route #2 "n": when.min_value_cents: -5 is negative`}},
		{"catch-all not last", []Rule{{Name: "all", Carrier: "swift"}, {Name: "books", When: When{SKU: []string{"BOOK-*"}}, Carrier: "steady"}}, testCarriers, "",
			[]string{`route #1 "all": when: is empty and matches every order, so the 1 rule(s) after it never match; move it last`}},
		{"unknown default", nil, testCarriers, "ghost",
			[]string{`default: carrier "ghost" is not configured`}},
		{"nothing routes", nil, testCarriers, "",
			[]string{`no rules and no default carrier`}},
		{"bad carriers", []Rule{{Name: "a", Carrier: "x"}}, []CarrierInfo{{Name: "x"}, {Name: "x"}, {Name: ""}, {Name: "y", TransitDays: -2}}, "",
			[]string{`carrier #2 "x": name: is listed twice`, `carrier #3: name: is empty`, `carrier #4 "y": transit_days: -2 is negative`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.rules, tc.carriers, tc.def)
			if err == nil {
				t.Fatalf("New accepted the config: %+v", r)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error is not a *ConfigError: %T", err)
			}
		})
	}
}

func TestNewReportsIndexAndKey(t *testing.T) {
	_, err := New([]Rule{{Name: "ok", When: When{Country: "US"}, Carrier: "swift"}, {Name: "books", Carrier: "ghost"}}, testCarriers, "")
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Section != "route" || ce.Index != 1 || ce.Name != "books" || ce.Key != "carrier" {
		t.Errorf("ConfigError = %+v", ce)
	}
}

func TestRouterIsolatedFromCallerEdits(t *testing.T) {
	rules := []Rule{{Name: "books", When: When{SKU: []string{"BOOK-*"}}, Carrier: "swift", Fallback: []string{"steady"}}}
	r := mustRouter(t, rules, "economy")
	rules[0].When.SKU[0] = "MUG-*"
	rules[0].Carrier = "bulk"
	d := r.Route(ord("US", "CA", "1", item("BOOK-1", 1, 1)), wed, nil)
	if d.Rule != "books" || d.Carrier != "swift" {
		t.Errorf("caller's edit leaked into the router: %+v", d)
	}
}

func TestExplain(t *testing.T) {
	r := mustRouter(t, testRules, "")
	ny := ord("US", "NY", "10001", item("MUG-1", 600, 1500))
	if got, want := r.Explain(ny, wed), `576000001 -> steady (rule "ny-zip")`; got != want {
		t.Errorf("Explain = %q, want %q", got, want)
	}
	ny.DeliveryDueTime = dueTue
	if got, want := r.Explain(ny, wed), `576000001 -> swift (rule "ny-zip"; steady: 5 transit days miss delivery due Tue 2 Dec (arrives Wed 3 Dec))`; got != want {
		t.Errorf("Explain = %q, want %q", got, want)
	}
	// Outside text loses whole escape sequences, bell and bidi overrides.
	fr := ord("FR", "", "75001", item("MUG\x1b[31m-1\u202e", 600, 1500))
	fr.ID = "57\x07x"
	got := r.Explain(fr, wed)
	if !strings.HasPrefix(got, "57x -> no route: no routing rule matches") || !strings.Contains(got, "SKUs MUG-1)") ||
		strings.ContainsAny(got, "\x1b\x07\u202e") || strings.Contains(got, "\n") {
		t.Errorf("Explain = %q", got)
	}
}

func TestAddBusinessDays(t *testing.T) {
	fri := time.Date(2025, 11, 28, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		from    time.Time
		transit int
		want    string
	}{
		{fri, 0, "Fri 28 Nov"},
		{fri, 1, "Mon 1 Dec"},
		{fri.Add(24 * time.Hour), 1, "Mon 1 Dec"}, // Saturday
		{fri.Add(48 * time.Hour), 1, "Mon 1 Dec"}, // Sunday
		{wed, 5, "Wed 3 Dec"},
		{wed, 10, "Wed 10 Dec"},
	}
	for _, tc := range tests {
		if got := addBusinessDays(tc.from, tc.transit).Format(dayLayout); got != tc.want {
			t.Errorf("%s + %d business days = %s, want %s", tc.from.Format(dayLayout), tc.transit, got, tc.want)
		}
	}
}
