// Package sim is shipdeck's built-in world: a simulated TikTok Shop (the
// 202309 endpoints the sync worker uses, with TikTok's signing, quota,
// envelope and error codes), several 3PLs on the generic REST contract with
// distinct latency and failure profiles, and a simulated ShipStation v1.
// All of it is real HTTP on loopback, driven by a seeded order-arrival model
// and a clock that can run faster than real time or be stepped by tests.
//
// The simulator is the default when no config is given, the backbone of the
// tests and what `shipdeck sim` runs standalone. It favours the awkward parts
// of the real services (opaque page tokens with '+' and '/', masked
// addresses, buyer names with control sequences, replies lost after the
// effect happened, webhooks that spell CANCELLED as CANCEL) because those
// are what the sync worker must survive.
//
// One listener serves everything:
//
//	GET  /authorization/202309/shops
//	POST /order/202309/orders/search
//	GET  /order/202309/orders?ids=
//	GET  /logistics/202309/delivery_options/{id}/shipping_providers
//	POST /fulfillment/202309/packages/{package_id}/ship
//	POST /fulfillment/202309/orders/{order_id}/shipping_info/update
//	GET  /api/v2/token/refresh                  (token host, unsigned)
//	     /carriers/{swift,steady,flaky,picky}/v1/orders...   (generic REST)
//	     /carriers/shipstation/orders/createorder, /orders, /shipments
//	GET  /_sim/counters
//
// Every duration the simulator reports (Retry-After, X-Rate-Limit-Reset,
// token expiries) is in simulated time.
package sim
