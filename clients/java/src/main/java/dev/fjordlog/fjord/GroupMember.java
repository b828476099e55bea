package dev.fjordlog.fjord;

import dev.fjordlog.fjord.v1.AcknowledgeAssignment;
import dev.fjordlog.fjord.v1.FindCoordinatorRequest;
import dev.fjordlog.fjord.v1.FindCoordinatorResponse;
import dev.fjordlog.fjord.v1.GroupServiceGrpc;
import dev.fjordlog.fjord.v1.Heartbeat;
import dev.fjordlog.fjord.v1.JoinGroup;
import dev.fjordlog.fjord.v1.LeaveGroup;
import dev.fjordlog.fjord.v1.MembershipRequest;
import dev.fjordlog.fjord.v1.MembershipResponse;
import dev.fjordlog.fjord.v1.Subscription;
import dev.fjordlog.fjord.v1.TopicPartitions;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One consumer's group membership: a thread keeping a Membership stream open on the group's
 * coordinator (finding it again and resuming with the member's epoch after NOT_COORDINATOR or a
 * broken stream), heartbeating, and handing each new assignment to the consumer, which
 * reconciles it in poll (revoke first, then assign) and acknowledges it. Mirrors
 * clients/go/group_member.go.
 */
final class GroupMember {
  /** An assignment to reconcile. */
  record Target(long seq, int gen, int epoch, Set<TopicPartition> assigned) {}

  private record Resp(int gen, MembershipResponse msg) {}

  private record Err(int gen, Throwable t) {}

  private record Done(int gen) {}

  private record Ack(int gen, int epoch, Set<TopicPartition> owned) {}

  private record Leave() {}

  /** Poll dropped what was lost: join again. */
  private record Rejoin() {}

  /** The view of the membership poll reconciles: what was lost, and the newest assignment. */
  record Update(boolean lost, Target target) {}

  /** Ends a session the member left because the application stopped calling poll. */
  static final String POLL_EXPIRED = "POLL_EXPIRED";

  private static final Set<String> FATAL =
      Set.of("FENCED_INSTANCE_ID", "INVALID_GROUP_ID", "INVALID_REQUEST",
          "INCONSISTENT_GROUP_PROTOCOL", "UNSUPPORTED_ASSIGNOR", "GROUP_AUTHORIZATION_FAILED");
  private static final int SILENT_INTERVALS = 2;

  private final ClientCore core;
  final String group;
  final String memberId = UUID.randomUUID().toString();
  private final String instanceId;
  private final String assignor;
  private final int sessionTimeoutMs;
  private final int rebalanceTimeoutMs;
  private final long maxPollIntervalNanos;
  private final Subscription sub;
  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final Thread thread;

  // guarded by this
  private int epoch;
  private int gen;
  private long seq;
  private Target target;
  private boolean lost;
  private FjordException fatal;
  private Set<TopicPartition> owned = new TreeSet<>();
  private String coordinatorHint; // the coordinator a NOT_COORDINATOR named; member thread only
  private volatile boolean leaving;
  private volatile boolean connected;
  // poll bookkeeping for maxPollInterval: polling while poll runs, lastPoll when it last returned
  private volatile boolean polling;
  private volatile long lastPoll = System.nanoTime();

  GroupMember(ClientCore core, String group, String instanceId, String assignor,
      int sessionTimeoutMs, int rebalanceTimeoutMs, long maxPollIntervalMs,
      Collection<String> topics) {
    this.core = core;
    this.group = group;
    this.instanceId = instanceId == null ? "" : instanceId;
    this.assignor = assignor == null ? "" : assignor;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    this.maxPollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(maxPollIntervalMs);
    this.sub = Subscription.newBuilder().addAllTopics(new TreeSet<>(topics)).build();
    this.thread = new Thread(this::run, "fjord-group-member-" + group);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  synchronized int epoch() {
    return epoch;
  }

  boolean connected() {
    return connected;
  }

  /** How many Membership streams the member has opened (for tests). */
  synchronized int sessions() {
    return gen;
  }

  /**
   * Whether what the member owned was lost (reported once), and the newest assignment if it is
   * newer than seenSeq (else null), read together.
   */
  synchronized Update update(long seenSeq) {
    boolean l = lost;
    lost = false;
    return new Update(l, target != null && target.seq() != seenSeq ? target : null);
  }

  /** Poll has dropped what was lost: the member may join again. */
  void rejoin() {
    events.add(new Rejoin());
  }

  /** Poll started (no maxPollInterval expiry while it runs). */
  void pollStarted() {
    polling = true;
  }

  /** Poll returned. */
  void pollEnded() {
    lastPoll = System.nanoTime();
    polling = false;
  }

  private boolean pollExpired() {
    return !polling && System.nanoTime() - lastPoll > maxPollIntervalNanos;
  }

  synchronized FjordException fatal() {
    return fatal;
  }

  /** Tells the coordinator the member now owns exactly t's assignment. */
  void acknowledge(Target t) {
    synchronized (this) {
      owned = new TreeSet<>(t.assigned());
    }
    events.add(new Ack(t.gen(), t.epoch(), t.assigned()));
  }

  /** Leaves the group and stops the thread (waits at most timeoutMs). */
  void leave(long timeoutMs) {
    leaving = true;
    events.add(new Leave());
    try {
      thread.join(timeoutMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }

  private void run() {
    int attempt = 0;
    while (!leaving) {
      FjordException err;
      boolean healthy;
      try {
        healthy = session();
        return; // left
      } catch (SessionEnd e) {
        healthy = e.healthy;
        err = e.err;
        coordinatorHint = namedCoordinator(err);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        healthy = false;
        err = Errors.fromThrowable(e, false);
      }
      connected = false;
      if (leaving) {
        return;
      }
      if (healthy) {
        attempt = 0;
      }
      String r = err.reason();
      if (Errors.UNKNOWN_MEMBER_ID.equals(r) || Errors.FENCED_MEMBER_EPOCH.equals(r)
          || POLL_EXPIRED.equals(r)) {
        // The coordinator no longer counts this member (its session expired, its epoch is stale,
        // or it left because the application stopped polling): what it owned is lost, and it
        // joins again as a new member once poll has dropped that, as Kafka does.
        synchronized (this) {
          epoch = 0;
          lost = true;
          owned = new TreeSet<>();
          target = new Target(++seq, gen, 0, Set.of());
        }
        try {
          if (!awaitRejoin()) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
        attempt = 0;
        continue;
      }
      if (FATAL.contains(r) || (r.isEmpty() && (err.code() == io.grpc.Status.Code.UNIMPLEMENTED
          || err.code() == io.grpc.Status.Code.PERMISSION_DENIED
          || err.code() == io.grpc.Status.Code.UNAUTHENTICATED
          || err.code() == io.grpc.Status.Code.INVALID_ARGUMENT))) {
        synchronized (this) {
          fatal = err;
          lost = true;
        }
        return;
      }
      attempt++;
      try {
        Thread.sleep(Math.min(1000, 50L << Math.min(attempt, 5)));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Waits for poll's rejoin signal; false when leaving instead. */
  private boolean awaitRejoin() throws InterruptedException {
    while (!leaving) {
      Object ev = events.take();
      if (ev instanceof Rejoin) {
        return true;
      }
      if (ev instanceof Leave) {
        return false;
      }
      // anything else belongs to an ended stream
    }
    return false;
  }

  private static final class SessionEnd extends Exception {
    private static final long serialVersionUID = 1L;
    final transient FjordException err;
    final boolean healthy;

    SessionEnd(FjordException err, boolean healthy) {
      super(err.getMessage(), null, false, false);
      this.err = err;
      this.healthy = healthy;
    }
  }

  /**
   * The coordinator a NOT_COORDINATOR names (its coordinator_address, or the address of a known
   * broker coordinator_id), so the next session goes there without asking FindCoordinator; null
   * otherwise. Only the next session uses it: a wrong hint ends that one and the member asks.
   */
  private String namedCoordinator(FjordException err) {
    if (err == null || !Errors.NOT_COORDINATOR.equals(err.reason())) {
      return null;
    }
    String addr = err.metadata().getOrDefault("coordinator_address", "");
    if (addr.isEmpty()) {
      try {
        addr = core.brokers.getOrDefault(Integer.parseInt(err.metadata().getOrDefault("coordinator_id", "")), "");
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return addr.isEmpty() ? null : addr;
  }

  /** Runs one Membership stream; returns after a leave, throws SessionEnd otherwise. */
  private boolean session() throws SessionEnd, InterruptedException {
    String addr = coordinatorHint;
    coordinatorHint = null;
    if (addr == null) {
      FindCoordinatorResponse fc =
          core.any(
              ch ->
                  GroupServiceGrpc.newBlockingStub(ch)
                      .withDeadlineAfter(core.requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
                      .findCoordinator(FindCoordinatorRequest.newBuilder().setGroupId(group).build()));
      addr = fc.getCoordinator().getAddress();
    }
    final int myGen;
    JoinGroup.Builder join;
    synchronized (this) {
      myGen = ++gen;
      join =
          JoinGroup.newBuilder()
              .setGroupId(group)
              .setMemberId(memberId)
              .setInstanceId(instanceId)
              .setClientId(core.clientId)
              .setSubscription(sub)
              .setAssignor(assignor)
              .setRebalanceTimeoutMs(rebalanceTimeoutMs)
              .setSessionTimeoutMs(sessionTimeoutMs)
              .setMemberEpoch(epoch);
      if (epoch > 0) {
        join.addAllOwned(toWire(owned));
      }
    }
    StreamObserver<MembershipRequest> out =
        GroupServiceGrpc.newStub(core.channel(addr))
            .membership(
                new StreamObserver<MembershipResponse>() {
                  @Override
                  public void onNext(MembershipResponse v) {
                    events.add(new Resp(myGen, v));
                  }

                  @Override
                  public void onError(Throwable t) {
                    events.add(new Err(myGen, t));
                  }

                  @Override
                  public void onCompleted() {
                    events.add(new Done(myGen));
                  }
                });
    boolean healthy = false;
    boolean left = false;
    boolean pollLeft = false; // left because the application stopped polling
    long pollCheck = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
        Math.min(TimeUnit.SECONDS.toNanos(1), maxPollIntervalNanos / 10));
    try {
      out.onNext(MembershipRequest.newBuilder().setJoin(join).build());
      long interval = 3000;
      if (sessionTimeoutMs > 0) {
        interval = Math.min(interval, sessionTimeoutMs / 3);
      }
      long lastHeard = System.nanoTime();
      long nextHb = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(interval);
      long leaveDeadline = Long.MAX_VALUE;
      long nextPollCheck = System.nanoTime() + pollCheck;
      while (true) {
        long now = System.nanoTime();
        long waitNanos =
            Math.max(0, Math.min(Math.min(nextHb, leaveDeadline), nextPollCheck) - now);
        Object ev = events.poll(waitNanos, TimeUnit.NANOSECONDS);
        now = System.nanoTime();
        if (ev == null && now >= nextPollCheck) {
          nextPollCheck = now + pollCheck;
          if (healthy && !left && pollExpired()) {
            // The application stopped polling: leave, so that the partitions move (a static
            // member leaves temporarily), and join again at the next poll.
            left = true;
            pollLeft = true;
            out.onNext(MembershipRequest.newBuilder()
                .setLeave(LeaveGroup.newBuilder().setTemporary(!instanceId.isEmpty())).build());
            leaveDeadline = now + TimeUnit.MILLISECONDS.toNanos(SILENT_INTERVALS * interval);
            continue;
          }
        }
        if (ev == null) {
          if (left && now >= leaveDeadline) {
            if (pollLeft) {
              throw pollExpiredEnd(healthy);
            }
            return true;
          }
          if (left || now < nextHb) {
            continue;
          }
          if (now - lastHeard > TimeUnit.MILLISECONDS.toNanos(SILENT_INTERVALS * interval)) {
            throw new SessionEnd(new FjordException(Errors.UNAVAILABLE,
                "the group coordinator stopped answering heartbeats", true, null), healthy);
          }
          if (healthy) {
            int e;
            synchronized (this) {
              e = epoch;
            }
            out.onNext(MembershipRequest.newBuilder()
                .setHeartbeat(Heartbeat.newBuilder().setMemberEpoch(e)).build());
          }
          nextHb = now + TimeUnit.MILLISECONDS.toNanos(interval);
          continue;
        }
        if (ev instanceof Resp r) {
          if (r.gen() != myGen || left) {
            continue;
          }
          lastHeard = now;
          MembershipResponse m = r.msg();
          if (m.getHeartbeatAck()) {
            continue;
          }
          healthy = true;
          connected = true;
          if (m.getHeartbeatIntervalMs() > 0) {
            interval = m.getHeartbeatIntervalMs();
          }
          synchronized (this) {
            epoch = m.getMemberEpoch();
            target = new Target(++seq, myGen, m.getMemberEpoch(), fromWire(m.getAssignedList()));
          }
          nextHb = now + TimeUnit.MILLISECONDS.toNanos(interval);
        } else if (ev instanceof Err e) {
          if (e.gen() != myGen) {
            continue;
          }
          if (pollLeft) {
            throw pollExpiredEnd(healthy);
          }
          if (left) {
            return true;
          }
          FjordException fe = Errors.fromThrowable(e.t(), false);
          if (Errors.NOT_COORDINATOR.equals(fe.reason())
              || Errors.COORDINATOR_NOT_AVAILABLE.equals(fe.reason())
              || Errors.COORDINATOR_LOAD_IN_PROGRESS.equals(fe.reason())) {
            fe = new GroupException(fe.code(), fe.reason(), fe.getMessage(), true, false,
                fe.retryAfter(), "", -1, fe.metadata(), fe);
          }
          throw new SessionEnd(fe, healthy);
        } else if (ev instanceof Done d) {
          if (d.gen() != myGen) {
            continue;
          }
          if (pollLeft) {
            throw pollExpiredEnd(healthy);
          }
          if (left) {
            return true;
          }
          throw new SessionEnd(new FjordException(Errors.UNAVAILABLE,
              "membership stream ended", true, null), healthy);
        } else if (ev instanceof Ack a) {
          if (a.gen() != myGen || left) {
            continue; // reconciled from an older stream: its join claims it
          }
          out.onNext(MembershipRequest.newBuilder()
              .setAck(AcknowledgeAssignment.newBuilder().setMemberEpoch(a.epoch())
                  .addAllOwned(toWire(a.owned())))
              .build());
        } else if (ev instanceof Leave) {
          if (pollLeft) {
            return true; // already left; the application closes or unsubscribes
          }
          left = true;
          out.onNext(MembershipRequest.newBuilder()
              .setLeave(LeaveGroup.newBuilder().setTemporary(!instanceId.isEmpty())).build());
          leaveDeadline = now + TimeUnit.SECONDS.toNanos(3);
        }
      }
    } finally {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // already broken
      }
      if (!left) {
        connected = false;
      }
    }
  }

  private SessionEnd pollExpiredEnd(boolean healthy) {
    return new SessionEnd(new GroupException(POLL_EXPIRED,
        "left the group: no poll within maxPollInterval", false, null), healthy);
  }

  static List<TopicPartitions> toWire(Collection<TopicPartition> tps) {
    List<TopicPartitions> out = new ArrayList<>();
    TopicPartitions.Builder cur = null;
    for (TopicPartition tp : new TreeSet<>(tps)) {
      if (cur == null || !cur.getTopic().equals(tp.topic())) {
        if (cur != null) {
          out.add(cur.build());
        }
        cur = TopicPartitions.newBuilder().setTopic(tp.topic());
      }
      cur.addPartitions(tp.partition());
    }
    if (cur != null) {
      out.add(cur.build());
    }
    return out;
  }

  static Set<TopicPartition> fromWire(List<TopicPartitions> in) {
    Set<TopicPartition> out = new TreeSet<>();
    for (TopicPartitions t : in) {
      for (int p : t.getPartitionsList()) {
        out.add(new TopicPartition(t.getTopic(), p));
      }
    }
    return out;
  }
}
