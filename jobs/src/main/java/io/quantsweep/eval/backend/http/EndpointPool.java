package io.quantsweep.eval.backend.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of one variant, each with a limit on requests in flight. {@link #acquire} blocks
 * until some endpoint is below its limit and takes the least busy one, ties broken round-robin.
 *
 * <p>A pool-wide semaphore holds the sum of the limits. A thread that holds one of its permits but no
 * endpoint's is proof that some endpoint has a free permit, so the scan after it always ends.
 */
final class EndpointPool {
    private final List<Endpoint> endpoints;
    private final Semaphore total;
    private final AtomicInteger rotation = new AtomicInteger();

    /** One server address and its permits. */
    static final class Endpoint {
        private final URI base;
        private final int limit;
        private final Semaphore permits;

        private Endpoint(URI base, int limit) {
            this.base = base;
            this.limit = limit;
            this.permits = new Semaphore(limit);
        }

        URI base() {
            return base;
        }

        int inFlight() {
            return limit - permits.availablePermits();
        }

        /** {@code base} joined with {@code path} (which starts with '/'), keeping any path prefix of the base. */
        URI resolve(String path) {
            String b = base.toString();
            while (b.endsWith("/")) {
                b = b.substring(0, b.length() - 1);
            }
            return URI.create(b + path);
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }

    /** An endpoint permit; closing returns it. */
    final class Lease implements AutoCloseable {
        private final Endpoint endpoint;
        private boolean closed;

        private Lease(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        Endpoint endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                endpoint.permits.release();
                total.release();
            }
        }
    }

    EndpointPool(List<URI> bases, int limitPerEndpoint) {
        List<Endpoint> list = new ArrayList<>();
        bases.forEach(b -> list.add(new Endpoint(b, limitPerEndpoint)));
        this.endpoints = List.copyOf(list);
        this.total = new Semaphore(limitPerEndpoint * bases.size(), true);
    }

    List<Endpoint> endpoints() {
        return endpoints;
    }

    Lease acquire() throws InterruptedException {
        total.acquire();
        try {
            while (true) {
                int n = endpoints.size();
                int start = Math.floorMod(rotation.getAndIncrement(), n);
                List<Endpoint> order = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    order.add(endpoints.get((start + i) % n));
                }
                order.sort(Comparator.comparingInt(Endpoint::inFlight));
                for (Endpoint e : order) {
                    if (e.permits.tryAcquire()) {
                        return new Lease(e);
                    }
                }
                // another holder took the free permit between our look and our try; it frees one soon
                Thread.onSpinWait();
            }
        } catch (RuntimeException | Error e) {
            total.release();
            throw e;
        }
    }
}
