package ingest

import "github.com/cenkalti/backoff/v4"

// newBackoff returns capped exponential backoff with jitter that never gives up;
// callers stop it through their context.
func (in *Ingester) newBackoff() backoff.BackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = in.cfg.RetryInitial
	b.MaxInterval = in.cfg.RetryMax
	b.MaxElapsedTime = 0
	b.Reset()
	return b
}
