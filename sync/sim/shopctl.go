package sim

import (
	"fmt"
	"time"

	"github.com/shipdeck/shipdeck/sync/tiktok"
)

// otherShopNames name the extra authorized shops (Options.OtherShops).
var otherShopNames = []struct{ name, region string }{
	{"Nebula Books UK", "GB"}, {"Nebula Outlet", "US"}, {"Nebula Books ES", "ES"},
}

// addOtherShops lists n more shops as authorized, each with its own
// cipher. Called once from Start.
func (s *Sim) addOtherShops(n int) {
	g := s.market.gate
	g.mu.Lock()
	defer g.mu.Unlock()
	g.otherCiphers = map[string]bool{}
	for i := range n {
		p := otherShopNames[i%len(otherShopNames)]
		sh := tiktok.Shop{
			ID: fmt.Sprintf("74955407353657776%02d", i), Name: p.name, Region: p.region, SellerType: "LOCAL",
			Cipher: "GCP_" + tokenString(s.opts.Seed, uint64(6000+i), 24), Code: fmt.Sprintf("%sLCSIM%02d", p.region, i+2),
		}
		s.market.otherShops = append(s.market.otherShops, sh)
		g.otherCiphers[sh.Cipher] = true
	}
}

// Shops lists the shops Get Authorized Shops returns now.
func (s *Sim) Shops() []tiktok.Shop {
	d, _ := s.market.shops(nil)
	return d.(tiktok.ShopsData).Shops
}

// RotateShopCipher gives the simulated shop a new cipher, as a
// re-authorization does: calls with the old one are refused ("Invalid
// identifier"), and Get Authorized Shops lists the new one.
func (s *Sim) RotateShopCipher() string {
	c := s.market.gate.rotateCipher()
	s.shop.ShopCipher = c
	return c
}

// Deauthorize has the seller remove the app: every token stops working
// and TikTok sends SELLER_DEAUTHORIZATION (type 6).
func (s *Sim) Deauthorize() {
	g := s.market.gate
	g.mu.Lock()
	g.deauthorized = true
	g.mu.Unlock()
	s.notify(tiktok.NotifySellerDeauthorization, tiktok.AuthorizationNotice{
		Message: "The seller has deauthorized your app. Your access token is no longer valid.",
	})
}

// WarnAuthorizationExpiry sends UPCOMING_AUTHORIZATION_EXPIRATION (type 7)
// for an authorization that expires at the given time (TikTok sends it 30
// days before, then daily).
func (s *Sim) WarnAuthorizationExpiry(at time.Time) {
	s.notify(tiktok.NotifyAuthorizationExpiring, tiktok.AuthorizationNotice{
		Message:        "The authorization of your app will expire soon. Please ask the seller to re-authorize.",
		ExpirationTime: at.Unix(),
	})
}

// ChangeAddress has the buyer change an order's address (allowed before
// shipping) and sends RECIPIENT_ADDRESS_UPDATE (type 3). It reports
// whether the order existed and could still be changed.
func (s *Sim) ChangeAddress(id, line1 string) bool {
	return s.withOpenOrder(id, func(o *simOrder, now time.Time) {
		a := &o.full.RecipientAddress
		a.AddressLine1, a.AddressLine2, a.AddressDetail = line1, "", ""
		a.FullAddress = line1 + ", " + a.PostalCode
		s.book.touch(o, now)
		s.book.notifyLocked(tiktok.NotifyAddressUpdate, tiktok.AddressUpdate{OrderID: id, UpdateTime: now.Unix()}, now)
	})
}

// SplitOrder splits an unshipped order of two or more line items into two
// packages and sends PACKAGE_UPDATE (type 4, sc_type SPLIT). It returns
// the order's package ids.
func (s *Sim) SplitOrder(id string) ([]string, bool) {
	return s.book.split(s.clock.Now(), id)
}

// RequestCancel has the buyer ask to cancel an order: is_buyer_request_cancel
// turns true and CANCELLATION_STATUS_CHANGE (type 11) is sent.
func (s *Sim) RequestCancel(id string) bool {
	return s.withOpenOrder(id, func(o *simOrder, now time.Time) { s.book.requestCancel(o, now) })
}

// notify sends a notification that concerns no order.
func (s *Sim) notify(typ int, data any) {
	if s.hooks != nil {
		s.hooks.enqueueType(typ, data, s.clock.Now())
	}
}
