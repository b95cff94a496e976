package sync_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/shipdeck/shipdeck/store"
	shipsync "github.com/shipdeck/shipdeck/sync"
	"github.com/shipdeck/shipdeck/sync/carrier"
	"github.com/shipdeck/shipdeck/sync/route"
	"github.com/shipdeck/shipdeck/sync/tiktok"
)

type stepClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeCarrier records calls and answers by hooks.
type fakeCarrier struct {
	name string
	caps carrier.Capabilities
	mu   gosync.Mutex
	// live orders by 3PL id
	orders   map[string]carrier.Remote
	byKey    map[string]string
	pushes   []string // idempotency keys pushed
	lookups  int
	cancels  int
	statuses int
	pushFn   func(s carrier.Shipment) (carrier.PushResult, error)
	lookupFn func(ext string) ([]carrier.Remote, error)
	nextID   int
}

func newFake(name string, caps carrier.Capabilities) *fakeCarrier {
	return &fakeCarrier{name: name, caps: caps, orders: map[string]carrier.Remote{}, byKey: map[string]string{}}
}

func (f *fakeCarrier) Name() string                       { return f.name }
func (f *fakeCarrier) Kind() string                       { return "fake" }
func (f *fakeCarrier) Capabilities() carrier.Capabilities { return f.caps }
func (f *fakeCarrier) Push(ctx context.Context, s carrier.Shipment) (carrier.PushResult, error) {
	f.mu.Lock()
	f.pushes = append(f.pushes, s.IdempotencyKey)
	fn := f.pushFn
	f.mu.Unlock()
	if fn != nil {
		return fn(s)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if id, ok := f.byKey[s.IdempotencyKey]; ok {
		return carrier.PushResult{ID: id, Replay: true}, nil
	}
	f.nextID++
	id := fmt.Sprintf("%s-%d", f.name, f.nextID)
	f.byKey[s.IdempotencyKey] = id
	f.orders[id] = carrier.Remote{ID: id, ExternalID: s.ExternalID, Status: carrier.StatusAccepted}
	return carrier.PushResult{ID: id}, nil
}
func (f *fakeCarrier) Status(ctx context.Context, id string) (carrier.Remote, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses++
	r, ok := f.orders[id]
	if !ok {
		return carrier.Remote{}, &carrier.Error{Carrier: f.name, Op: "status", Class: carrier.Permanent, HTTPStatus: 404}
	}
	return r, nil
}
func (f *fakeCarrier) Lookup(ctx context.Context, ext string) ([]carrier.Remote, error) {
	f.mu.Lock()
	f.lookups++
	fn := f.lookupFn
	f.mu.Unlock()
	if fn != nil {
		return fn(ext)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []carrier.Remote
	for _, r := range f.orders {
		if r.ExternalID == ext {
			out = append(out, r)
		}
	}
	return out, nil
}
func (f *fakeCarrier) Cancel(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cancels++
	r, ok := f.orders[id]
	if !ok {
		return &carrier.Error{Carrier: f.name, Op: "cancel", Class: carrier.Permanent}
	}
	r.Status = carrier.StatusCancelled
	f.orders[id] = r
	return nil
}
func (f *fakeCarrier) live(ext string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.orders {
		if r.ExternalID == ext && r.Status != carrier.StatusCancelled {
			n++
		}
	}
	return n
}
func (f *fakeCarrier) ship(ext, tracking string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, r := range f.orders {
		if r.ExternalID == ext && r.Status != carrier.StatusCancelled {
			r.Status, r.TrackingNumber = carrier.StatusShipped, tracking
			f.orders[id] = r
		}
	}
}

// fakeMP is a TikTok marketplace.
type fakeMP struct {
	mu       gosync.Mutex
	orders   map[string]tiktok.Order
	ships    int
	shipErr  error
	searches int
}

func (m *fakeMP) SearchOrders(ctx context.Context, req tiktok.SearchRequest, tok string, n int) (tiktok.SearchData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.searches++
	var d tiktok.SearchData
	for _, o := range m.orders {
		d.Orders = append(d.Orders, o)
	}
	return d, nil
}
func (m *fakeMP) OrderDetail(ctx context.Context, ids []string) ([]tiktok.Order, error) {
	return nil, nil
}
func (m *fakeMP) ShippingProviders(ctx context.Context, id string) ([]tiktok.ShippingProvider, error) {
	return nil, nil
}
func (m *fakeMP) ShipPackage(ctx context.Context, pkg string, req tiktok.ShipPackageRequest) (tiktok.ShipData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ships++
	return tiktok.ShipData{}, m.shipErr
}
func (m *fakeMP) UpdateShippingInfo(ctx context.Context, id string, req tiktok.UpdateShippingInfoRequest) (tiktok.ShipData, error) {
	return tiktok.ShipData{}, nil
}
func (m *fakeMP) MarkPackageShipped(ctx context.Context, id string, req tiktok.MarkShippedRequest) (tiktok.MarkShippedData, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ships++
	return tiktok.MarkShippedData{OrderID: id, PackageID: "P-" + id}, m.shipErr
}
func (m *fakeMP) UpdatePackageShippingInfo(ctx context.Context, pkg string, req tiktok.UpdateShippingInfoRequest) (tiktok.ShipData, error) {
	return tiktok.ShipData{}, nil
}
func (m *fakeMP) Shops(ctx context.Context) ([]tiktok.Shop, error) {
	return []tiktok.Shop{{ID: "7495540735365777507", Name: "Fake Shop", Region: "US", Cipher: "GCP_fake"}}, nil
}
func (m *fakeMP) SetShopCipher(string) {}
func (m *fakeMP) ShopCipher() string   { return "" }

// set stores an order of TikTok's new flow (is_on_hold_order true: it went
// through ON_HOLD, so it ships as soon as it awaits shipment).
func (m *fakeMP) set(id, status string, upd int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.orders[id] = tiktok.Order{ID: id, Status: status, CreateTime: upd - 100, UpdateTime: upd, PaidTime: upd - 90, IsOnHoldOrder: true,
		RecipientAddress: tiktok.RecipientAddress{Name: "Ann Lee", PhoneNumber: "555", AddressLine1: "1 Main St", PostalCode: "10001", RegionCode: "US"},
		LineItems:        []tiktok.LineItem{{ID: "li1", SellerSku: "BOOK", SalePrice: "10.00", PackageID: "P-" + id}},
		Packages:         []tiktok.PackageRef{{ID: "P-" + id}}}
}

type fakePlanner struct{}

func (fakePlanner) Reserve(ctx context.Context, k store.CallKind, n int) error { return nil }
func (fakePlanner) NoteRateLimited(ctx context.Context, at time.Time) error    { return nil }
func (fakePlanner) NotePoll(context.Context, time.Time, int)                   {}

func (fakePlanner) NextPoll(ctx context.Context, now time.Time) (time.Time, error) {
	return now.Add(time.Hour), nil
}
func (fakePlanner) Status(ctx context.Context, now time.Time) (store.QuotaStatus, error) {
	return store.QuotaStatus{}, nil
}

type lifeRig struct {
	t    *testing.T
	st   *store.Store
	eng  *shipsync.Engine
	clk  *stepClock
	mp   *fakeMP
	cars map[string]*fakeCarrier
	op   store.Actor
	ctx  context.Context
}

func newLifeRig(t *testing.T, cars ...*fakeCarrier) *lifeRig {
	t.Helper()
	clk := &stepClock{t: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)}
	st := openStore(t, clk.Now)
	mp := &fakeMP{orders: map[string]tiktok.Order{}}
	var cs []shipsync.Carrier
	var infos []route.CarrierInfo
	m := map[string]*fakeCarrier{}
	for _, c := range cars {
		cs = append(cs, shipsync.Carrier{Carrier: c, MaxInFlight: 4, ProviderID: "prov-" + c.name})
		infos = append(infos, route.CarrierInfo{Name: c.name, TransitDays: 2})
		m[c.name] = c
	}
	router, err := route.New([]route.Rule{{Name: "all", Carrier: cars[0].name}}, infos, cars[0].name)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := shipsync.New(shipsync.Config{Seed: 1}, shipsync.Deps{Store: st, Marketplace: mp, Planner: fakePlanner{},
		Router: router, Carriers: cs, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &lifeRig{t: t, st: st, eng: eng, clk: clk, mp: mp, cars: m, op: store.Actor{Name: "ana", Role: store.RoleOperator}, ctx: context.Background()}
}

func (r *lifeRig) order(id string) store.Order {
	o, err := r.st.Order(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return o
}

func (r *lifeRig) poll() {
	if _, err := r.eng.Poll(r.ctx); err != nil {
		r.t.Fatal(err)
	}
}

func (r *lifeRig) pass() shipsync.PushSummary {
	s, err := r.eng.PipelineOnce(r.ctx)
	if err != nil {
		r.t.Logf("pass: %v", err)
	}
	return s
}

func (r *lifeRig) put(o store.Order) {
	if err := r.st.Update(r.ctx, func(tx *store.Tx) error { return tx.PutOrder(o) }); err != nil {
		r.t.Fatal(err)
	}
}

// openStore opens a store in a temporary directory on the clock now,
// closed when the test ends.
func openStore(t testing.TB, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Now: now, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
