package sim

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestHourlyWeightsAreAProfileWithTwoPeaks(t *testing.T) {
	w := HourlyWeights()
	var sum float64
	for _, x := range w {
		sum += x
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("weights sum to %v, want 1", sum)
	}
	if !(w[12] > w[9] && w[12] > w[15]) {
		t.Errorf("no daytime peak around noon: %v", w)
	}
	if !(w[20] > w[17] && w[20] > w[23] && w[20] > w[12]) {
		t.Errorf("no larger evening peak around 20:00: %v", w)
	}
	if !(w[3] < w[12]/5) {
		t.Errorf("night is not quiet: %v", w)
	}
}

func TestArrivalTimesAreDeterministicPerSeed(t *testing.T) {
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	to := from.Add(3 * 24 * time.Hour)
	a := ArrivalTimes(7, 300, from, to, time.UTC)
	b := ArrivalTimes(7, 300, from, to, time.UTC)
	c := ArrivalTimes(8, 300, from, to, time.UTC)
	if !slices.EqualFunc(a, b, time.Time.Equal) {
		t.Fatal("the same seed gave different arrivals")
	}
	if slices.EqualFunc(a, c, time.Time.Equal) {
		t.Fatal("different seeds gave the same arrivals")
	}
	if !slices.IsSortedFunc(a, func(x, y time.Time) int { return x.Compare(y) }) {
		t.Fatal("arrivals are not in time order")
	}
	for _, x := range a {
		if x.Before(from) || !x.Before(to) {
			t.Fatalf("arrival %v outside [%v, %v)", x, from, to)
		}
	}
}

func TestArrivalWindowsComposeExactly(t *testing.T) {
	// Replaying a day in pieces (as the server does, request by request)
	// gives exactly the arrivals of the whole day.
	from := time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)
	to := from.Add(36 * time.Hour)
	whole := ArrivalTimes(3, 500, from, to, time.UTC)
	var pieces []time.Time
	for t0 := from; t0.Before(to); t0 = t0.Add(17 * time.Minute) {
		t1 := t0.Add(17 * time.Minute)
		if t1.After(to) {
			t1 = to
		}
		pieces = append(pieces, ArrivalTimes(3, 500, t0, t1, time.UTC)...)
	}
	if !slices.EqualFunc(whole, pieces, time.Time.Equal) {
		t.Fatalf("pieces gave %d arrivals, the whole window %d", len(pieces), len(whole))
	}
}

func TestArrivalsFollowTheHourlyWeights(t *testing.T) {
	const days, perDay = 60, 1000
	from := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	got := ArrivalTimes(11, perDay, from, from.AddDate(0, 0, days), time.UTC)
	total := float64(days * perDay)
	if n := float64(len(got)); math.Abs(n-total) > 4*math.Sqrt(total) {
		t.Fatalf("%v arrivals over %d days, want about %v", n, days, total)
	}
	var byHour [24]float64
	for _, x := range got {
		byHour[x.Hour()]++
	}
	for h, w := range HourlyWeights() {
		want := total * w
		if math.Abs(byHour[h]-want) > 5*math.Sqrt(want) {
			t.Errorf("hour %02d: %v arrivals, want about %.0f", h, byHour[h], want)
		}
	}
}

func TestArrivalsSurviveDaylightSavingDays(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no tz database on this machine")
	}
	from := time.Date(2026, 3, 7, 0, 0, 0, 0, la) // spring forward on the 8th
	to := time.Date(2026, 3, 10, 0, 0, 0, 0, la)
	got := ArrivalTimes(5, 300, from, to, la)
	if len(got) < 600 || len(got) > 1200 {
		t.Fatalf("%d arrivals across a DST change, want about 900", len(got))
	}
	if ArrivalTimes(5, 0, from, to, la) != nil || ArrivalTimes(5, 300, to, from, la) != nil {
		t.Fatal("no orders per day or an empty window must give no arrivals")
	}
}
