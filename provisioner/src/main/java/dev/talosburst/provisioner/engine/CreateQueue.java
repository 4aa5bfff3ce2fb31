package dev.talosburst.provisioner.engine;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pending creations, served round-robin across pools so a 100-node scale-up of one pool never starves
 * another pool's single node.
 */
final class CreateQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final TreeMap<String, Deque<Slot>> byPool = new TreeMap<>();
    private int size;
    private String lastPool;

    void add(Slot slot) {
        lock.lock();
        try {
            byPool.computeIfAbsent(slot.pool(), p -> new ArrayDeque<>()).addLast(slot);
            size++;
            nonEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The next slot, rotating pools; null after the timeout. */
    Slot poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (size == 0) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = nonEmpty.awaitNanos(nanos);
            }
            String pool = nextPool();
            Deque<Slot> queue = byPool.get(pool);
            Slot slot = queue.pollFirst();
            if (queue.isEmpty()) {
                byPool.remove(pool);
            }
            size--;
            lastPool = pool;
            return slot;
        } finally {
            lock.unlock();
        }
    }

    private String nextPool() {
        String next = lastPool == null ? null : byPool.higherKey(lastPool);
        return next != null ? next : byPool.firstKey();
    }

    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }
}
