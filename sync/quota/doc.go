// Package quota is shipdeck's TikTok Shop quota planner.
//
// Every TikTok call is reserved in a persisted per-day ledger (Ledger;
// StoreLedger in the engine) before it is sent, so neither a crash loop
// nor a burst of operator actions can overspend the daily budget. The quota
// day follows TikTok's reset (a zone and an hour, DST included).
//
// Urgent calls (tracking write-backs, operator actions) may spend the whole
// budget; polls, sweeps and detail look-ups stop short of a reserve held
// back for them. The reserve is released gradually over the last hours
// before the reset, down to a floor, because an unused reserve expires.
//
// NextPoll spreads the calls left for polling over the rest of the day by
// the square-root rule: poll density proportional to the square root of the
// order-arrival rate (learned per hour from the store, blended with a prior
// curve while history is short) minimizes the mean time from an order being
// placed to a poll storing it. It keeps the write-backs expected before the
// reset out of the poll budget, respects the reserve's release, skips
// configured slow windows and clamps intervals to configured bounds.
//
// Simulate replays seeded order arrivals on a virtual clock against a fixed
// 15-minute poll and against the planner, and computes the square-root-rule
// floor for comparison.
package quota
