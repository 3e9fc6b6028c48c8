package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class McNemarTest {
    @Test
    void exactPValues() {
        assertEquals(0.125, McNemar.pValue(1, 6), 1e-15);       // 2 * (1 + 7) / 2^7
        assertEquals(0.125, McNemar.pValue(6, 1), 1e-15);
        assertEquals(0.0625, McNemar.pValue(0, 5), 1e-15);      // 2 / 2^5
        assertEquals(1.0, McNemar.pValue(3, 3));                // 2 * 42/64 > 1
        assertEquals(1.0, McNemar.pValue(0, 0));
        // exact rational sums (Python fractions), to 1e-12 relative
        assertEquals(0.0022214337732293643, McNemar.pValue(10, 30), 1e-14);
        assertEquals(0.0009564441369189461, McNemar.pValue(400, 500), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> McNemar.pValue(-1, 2));
    }

    @Test
    void pairsItemsById() {
        McNemar m = McNemar.test(Map.of("a", true, "b", true, "c", false, "d", false, "e", true),
                Map.of("a", false, "b", true, "c", true, "d", false, "f", true));
        assertEquals(new McNemar(4, 1, 1, 1.0), m);
    }
}
