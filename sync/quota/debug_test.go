package quota

import (
	"context"
	"testing"
	"time"
)

func TestDebugSim(t *testing.T) {
	slow, _ := ParseWindow("18:00-21:00 Asia/Shanghai")
	opts := SimOptions{Days: 14, Config: Config{Zone: mustZone(t, "Asia/Shanghai"), BuyerZone: mustZone(t, "America/Los_Angeles"), SlowWindows: []Window{slow}}}.withDefaults()
	w := newSimWorld(opts)
	debugPoll = func(p *Planner, now, np time.Time) {
		if now.Day() == 8 && now.UTC().Hour() >= 7 && now.UTC().Hour() <= 13 {
			pl, _ := p.plan(context.Background(), now)
			t.Log(now.UTC(), np.UTC(), pl.polls, pl.ledger.Total())
		}
	}
	w.runPlanner()
}
