package io.quantsweep.eval.backend.embedded;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads llama.cpp's build stamp from a shared library file: the exported data symbols
 * {@code LLAMA_BUILD_NUMBER} (an {@code int}) and {@code LLAMA_COMMIT} (a {@code const char *}), as
 * an ELF64 little-endian x86-64 object holds them. The bundled library's log line "build: N (commit)"
 * goes to the native stderr, which Java cannot read, so the stamp is read from the file.
 *
 * <p>Layout used: section headers ({@code e_shoff}, {@code e_shentsize}, {@code e_shnum}); the
 * {@code SHT_DYNSYM} table (24-byte entries: name, info, other, shndx, value, size) and its string
 * table ({@code sh_link}); a virtual address maps to a file offset through the section that holds
 * it. A pointer in a shared object is relocated at load time, so its target is the addend of the
 * {@code R_X86_64_RELATIVE} entry at its address (from a {@code SHT_RELA} section) when there is one,
 * else the 8 bytes stored there.
 */
final class ElfBuildInfo {
    private static final int SHT_RELA = 4;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_DYNSYM = 11;
    private static final int EM_X86_64 = 62;
    private static final int R_X86_64_RELATIVE = 8;
    private static final int MAX_COMMIT_BYTES = 64;

    private final Path file;
    private final ByteBuffer elf;
    private final Section[] sections;

    private record Section(int type, long addr, long offset, long size, int link, long entsize) {
    }

    private ElfBuildInfo(Path file, ByteBuffer elf) throws IOException {
        this.file = file;
        this.elf = elf;
        if (elf.limit() < 64 || elf.getInt(0) != 0x464c457f) {
            throw bad("not an ELF file");
        }
        if (elf.get(4) != 2 || elf.get(5) != 1 || elf.getShort(18) != EM_X86_64) {
            throw bad("not an ELF64 little-endian x86-64 object");
        }
        long shoff = elf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(elf.getShort(0x3a));
        int shnum = Short.toUnsignedInt(elf.getShort(0x3c));
        if (shentsize < 64) {
            throw bad("section header entries of " + shentsize + " bytes, expected 64");
        }
        check(shoff, (long) shentsize * shnum, "section headers");
        sections = new Section[shnum];
        for (int i = 0; i < shnum; i++) {
            int base = Math.toIntExact(shoff + (long) i * shentsize);
            sections[i] = new Section(elf.getInt(base + 4), elf.getLong(base + 0x10), elf.getLong(base + 0x18),
                    elf.getLong(base + 0x20), elf.getInt(base + 0x28), elf.getLong(base + 0x38));
        }
    }

    /** The build as llama-server's {@code build_info} spells it, e.g. {@code b4916-c6af2161}. */
    static String read(Path library) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(library)).order(ByteOrder.LITTLE_ENDIAN);
        ElfBuildInfo elf = new ElfBuildInfo(library, bytes);
        int number = elf.elf.getInt(elf.fileOffset(elf.symbol("LLAMA_BUILD_NUMBER"), 4));
        String commit = elf.cString(elf.pointerAt(elf.symbol("LLAMA_COMMIT")));
        return "b" + number + "-" + commit;
    }

    private long symbol(String name) throws IOException {
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (Section s : sections) {
            if (s.type != SHT_DYNSYM || s.entsize != 24) {
                continue;
            }
            check(s.offset, s.size, "symbol table");
            if (s.link < 0 || s.link >= sections.length) {
                throw bad("symbol table names section " + s.link + " of " + sections.length);
            }
            Section strings = sections[s.link];
            check(strings.offset, strings.size, "symbol names");
            for (long e = s.offset; e + 24 <= s.offset + s.size; e += 24) {
                long nameOff = Integer.toUnsignedLong(elf.getInt((int) e));
                if (nameOff + wanted.length < strings.size && matches(strings.offset + nameOff, wanted)) {
                    return elf.getLong((int) e + 8);
                }
            }
        }
        throw bad("no exported symbol " + name + " (not a llama.cpp library?)");
    }

    private boolean matches(long at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (elf.get((int) at + i) != wanted[i]) {
                return false;
            }
        }
        return elf.get((int) at + wanted.length) == 0;
    }

    private long pointerAt(long vaddr) throws IOException {
        for (Section s : sections) {
            if (s.type != SHT_RELA || s.entsize != 24) {
                continue;
            }
            check(s.offset, s.size, "relocations");
            for (long e = s.offset; e + 24 <= s.offset + s.size; e += 24) {
                if (elf.getLong((int) e) == vaddr && (elf.getLong((int) e + 8) & 0xffffffffL) == R_X86_64_RELATIVE) {
                    return elf.getLong((int) e + 16);
                }
            }
        }
        return elf.getLong(fileOffset(vaddr, 8));
    }

    private int fileOffset(long vaddr, int length) throws IOException {
        for (Section s : sections) {
            if (s.type != SHT_NOBITS && s.addr != 0 && vaddr >= s.addr && vaddr + length <= s.addr + s.size) {
                long off = s.offset + (vaddr - s.addr);
                check(off, length, "data at address 0x" + Long.toHexString(vaddr));
                return (int) off;
            }
        }
        throw bad("no section holds address 0x" + Long.toHexString(vaddr));
    }

    private String cString(long vaddr) throws IOException {
        int off = fileOffset(vaddr, 1);
        int end = off;
        while (end < elf.limit() && elf.get(end) != 0 && end - off < MAX_COMMIT_BYTES) {
            end++;
        }
        if (end == elf.limit() || elf.get(end) != 0) {
            throw bad("unterminated string at address 0x" + Long.toHexString(vaddr));
        }
        byte[] s = new byte[end - off];
        elf.get(off, s);
        return new String(s, StandardCharsets.US_ASCII);
    }

    private void check(long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || offset + length > elf.limit()) {
            throw bad(what + " at offset " + offset + " (+" + length + ") lie beyond the file's " + elf.limit() + " bytes");
        }
    }

    private IOException bad(String detail) {
        return new IOException(file + ": " + detail);
    }
}
