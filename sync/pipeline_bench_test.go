package sync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/health"
	"github.com/shipdeck/shipdeck/sync/quota"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/sim"
)

// importBatch is the bulk import the pipeline benchmark pushes.
const importBatch = 10_000

// importCSV is a generated import file of n orders, ids prefixed so that
// each benchmark iteration sends orders the simulated 3PL has not seen.
func importCSV(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("order_id,name,phone,address1,address2,city,region,postal_code,country,sku,quantity,weight_g,price\n")
	cities := []struct{ city, region, postal string }{
		{"Austin", "TX", "78701"}, {"Seattle", "WA", "98101"}, {"Brooklyn", "NY", "11201"}, {"Denver", "CO", "80202"},
	}
	for i := range n {
		c := cities[i%len(cities)]
		fmt.Fprintf(&b, "%s-%06d,Reader %d,+1 512 555 %04d,%d Elm St,,%s,%s,%s,US,BOOK-%03d,%d,%d,%d.99\n",
			prefix, i, i, i%10000, 1+i%900, c.city, c.region, c.postal, i%250, 1+i%3, 300+i%700, 5+i%40)
	}
	return b.String()
}

// BenchmarkPipelineImport is a bulk import of 10,000 orders, parsed from
// CSV, stored and pushed until every one is accepted by the loopback
// simulator's fast 3PL (swift), on a store that syncs every commit. It
// reports orders/s from the start of parsing to the last push recorded.
func BenchmarkPipelineImport(b *testing.B) {
	ctx := context.Background()
	clock := sim.NewManualClock(start)
	s, err := sim.Start(ctx, sim.Options{Seed: 7, OrdersPerDay: -1, Clock: clock, DailyLimit: -1, PerSecond: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	swift, ok := s.Carrier(sim.ProfileSwift)
	if !ok {
		b.Fatal("the simulator has no swift carrier")
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		file := importCSV(fmt.Sprintf("BENCH%d", i), importBatch)
		st, err := store.Open(b.TempDir(), store.Options{Now: clock.Now})
		if err != nil {
			b.Fatal(err)
		}
		eng := newImportEngine(b, st, clock, swift)
		b.StartTimer()

		orders, rejected, err := shipsync.ParseImport(strings.NewReader(file), "bench.csv", clock.Now())
		if err != nil || len(rejected) > 0 || len(orders) != importBatch {
			b.Fatalf("parse: %d orders, %d rejected, %v", len(orders), len(rejected), err)
		}
		if _, err := eng.Import(ctx, orders, nil); err != nil {
			b.Fatal(err)
		}
		pushed := 0
		for pass := 0; pushed < importBatch; pass++ {
			if pass == 20 {
				b.Fatalf("only %d of %d orders pushed after %d passes", pushed, importBatch, pass)
			}
			if _, err := eng.PipelineOnce(ctx); err != nil {
				b.Fatalf("pipeline pass: %v", err)
			}
			c, err := st.Counts(ctx)
			if err != nil {
				b.Fatal(err)
			}
			pushed = int(c.ByState[store.StatePushed])
		}

		b.StopTimer()
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(importBatch*b.N)/b.Elapsed().Seconds(), "orders/s")
}

// newImportEngine wires an import-only engine (no TikTok) that routes
// every order to the simulated carrier info.
func newImportEngine(b *testing.B, st *store.Store, clock *sim.Clock, info sim.CarrierInfo) *shipsync.Engine {
	b.Helper()
	planner, err := quota.New(quota.Config{DailyLimit: 5000, MinInterval: time.Minute, MaxInterval: 15 * time.Minute},
		quota.StoreLedger{Store: st}, clock.Now, quota.StoreProfile(st, clock.Now))
	if err != nil {
		b.Fatal(err)
	}
	ad, err := carrier.NewREST(carrier.RESTConfig{Name: info.Name, Endpoint: info.URL, Token: info.Token, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	router, err := route.New([]route.Rule{{Name: "all", Carrier: info.Name}}, []route.CarrierInfo{{Name: info.Name, TransitDays: info.TransitDays}}, info.Name)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := shipsync.New(shipsync.Config{Shop: "bench", Seed: 1}, shipsync.Deps{
		Store: st, Planner: planner, Router: router,
		Carriers: []shipsync.Carrier{{Carrier: ad, MaxInFlight: 8, TransitDays: info.TransitDays, ProviderID: info.ProviderID}},
		Health:   health.NewTracker(), Breakers: health.NewBreakers(health.BreakerConfig{}), Now: clock.Now,
	})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}
