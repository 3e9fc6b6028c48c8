package io.quantsweep.gpu;

import java.util.Locale;

/** Where quantization runs: {@code auto} (the GPU when usable, else the CPU), {@code cpu} or {@code gpu}. */
public enum Device {
    AUTO, CPU, GPU;

    /** Parses {@code auto}, {@code cpu} or {@code gpu} in any case; refuses anything else with the value. */
    public static Device parse(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (Device d : values()) {
            if (d.name().equals(upper)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "'; expected auto, cpu or gpu");
    }
}
