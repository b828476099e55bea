package storage

import (
	"errors"
	"time"
)

// Sync makes every appended batch durable (fdatasync of each segment with
// unsynced data) and advances the recovery point over it. Concurrent
// callers share one fsync: a caller that finds its data already covered by
// a sync that ran while it waited returns at once.
func (l *Log) Sync() error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	target := l.leoLocked()
	done := l.recoveryPoint >= target
	l.mu.RUnlock()
	if done {
		return nil
	}
	return l.syncTo(target)
}

// SyncTo returns once every offset below offset is durable.
func (l *Log) SyncTo(offset int64) error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	done := l.recoveryPoint >= offset || l.recoveryPoint >= l.leoLocked()
	l.mu.RUnlock()
	if done {
		return nil
	}
	return l.syncTo(offset)
}

func (l *Log) syncTo(offset int64) error {
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.mu.Lock()
	if err := l.checkWritableLocked(); err != nil {
		l.mu.Unlock()
		return err
	}
	leo := l.leoLocked()
	if l.recoveryPoint >= min(offset, leo) {
		l.mu.Unlock()
		return nil
	}
	gen, msgs := l.truncGen, l.unsyncedMsgs
	type target struct {
		seg *segment
		w   *sharedFile
		c   *cachedFile
	}
	var ts []target
	var err error
	for _, s := range l.segs {
		switch {
		case s.w != nil:
			if ferr := s.flushIndexes(l.fs); ferr != nil {
				l.opts.Logger.Warn("storage: index flush failed", "path", s.idxPath, "err", ferr)
			}
			ts = append(ts, target{seg: s, w: s.w.ref()})
		case !s.synced:
			c, cerr := l.files.acquire(l.fs, s.logPath)
			if cerr != nil {
				err = cerr
				break
			}
			ts = append(ts, target{seg: s, c: c})
		}
	}
	l.mu.Unlock()

	for _, t := range ts {
		var serr error
		if t.w != nil {
			serr = t.w.Sync()
			_ = t.w.unref()
		} else {
			serr = t.c.f.Sync()
			l.files.release(t.c)
		}
		if serr != nil && err == nil {
			err = ioErr("sync", t.seg.logPath, serr)
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		// After a failed fsync the kernel may have dropped the dirty pages:
		// what is on disk is unknown, so stop writing (fsyncgate).
		return l.fail(err)
	}
	if l.truncGen != gen {
		return nil
	}
	for _, t := range ts {
		if t.w == nil {
			t.seg.synced = true
		}
	}
	l.recoveryPoint = max(l.recoveryPoint, leo)
	l.unsyncedMsgs -= msgs
	if l.leoLocked() == leo {
		l.unsyncedMsgs = 0
	} else {
		l.unsyncedSince = l.opts.Clock.Now()
	}
	return nil
}

// Maintain does the time-driven work: expire idempotent producers idle
// for ProducerIDExpiration, roll the active segment after SegmentAge, sync
// when the oldest unsynced append is older than FlushInterval, enforce
// retention (delete policies), and checkpoint offsets. The broker calls it
// periodically; it never blocks on other logs.
func (l *Log) Maintain(now time.Time) error {
	l.mu.Lock()
	if err := l.checkWritableLocked(); err != nil {
		l.mu.Unlock()
		return err
	}
	var err error
	if ttl := l.opts.ProducerIDExpiration; ttl > 0 {
		if n := l.producers.expire(now.Add(-ttl).UnixMilli()); n > 0 {
			l.opts.Logger.Info("storage: expired producer ids", "dir", l.dir, "count", n)
		}
	}
	if a := l.active(); !a.empty() && l.opts.SegmentAge > 0 && now.Sub(a.firstApp) >= l.opts.SegmentAge {
		err = l.rollLocked()
	}
	flush := l.opts.FlushInterval > 0 && l.unsyncedMsgs > 0 && now.Sub(l.unsyncedSince) >= l.opts.FlushInterval
	l.mu.Unlock()
	if flush {
		err = errors.Join(err, l.Sync())
	}
	if _, rerr := l.EnforceRetention(now); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return errors.Join(err, l.writeCheckpoint())
}
