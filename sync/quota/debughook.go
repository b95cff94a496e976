package quota

import "time"

var debugOrders func([]simOrder)
var debugPoll func(p *Planner, now, np time.Time)
