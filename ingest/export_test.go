package ingest

import "context"

// SetAfterMessage makes in call f after each message it decodes, inside the fetch.
func SetAfterMessage(in *Ingester, f func(ctx context.Context, partition int, offset int64)) {
	in.afterMessage = f
}

// SetOnCommit makes in call f with the offsets of each commit, just before it.
func SetOnCommit(in *Ingester, f func(offsets map[int]int64)) { in.onCommit = f }

// SetBlockRows makes in send the rows of an open insert in blocks of n.
func SetBlockRows(in *Ingester, n int) { in.blockRows = n }

// SetBeforeSend makes in call f before it ends an insert; an error fails
// the insert as a failed Send would.
func SetBeforeSend(in *Ingester, f func(rows int) error) { in.beforeSend = f }
