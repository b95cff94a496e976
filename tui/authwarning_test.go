package tui

import (
	"testing"

	"github.com/shipdeck/shipdeck/store"
	"github.com/shipdeck/shipdeck/tui/tuitest"
)

// TestHeaderWarnsOfTheExpiringAuthorization: TikTok's
// UPCOMING_AUTHORIZATION_EXPIRATION puts the date in the header whatever
// the worker is doing, and it goes when the warning does.
func TestHeaderWarnsOfTheExpiringAuthorization(t *testing.T) {
	eng := tuitest.Fixture(testNow)
	const warn = "TikTok authorization expires 2026-12-23: ask the seller to authorize shipdeck again"
	eng.SetWorker(store.WorkerStatus{State: store.WorkerSleeping, Warning: warn})
	h := newHarness(t, eng, viewer, 200, 40)
	h.requireScreen("TikTok authorization expires 2026-12-23")
	eng.SetWorker(store.WorkerStatus{State: store.WorkerSleeping})
	h.sync()
	h.rejectScreen("authorization expires")
}
