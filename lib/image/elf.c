/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ELF32 loader through libelf (elfutils). Sources: System V ABI "Tool Interface Standard (TIS)
 * ELF Specification" v1.2, Book I §2 "Program Header"; ARM IHI 0044 (ELF for the Arm
 * Architecture) §5.2. What goes to flash is the file part (p_filesz bytes at p_offset) of every
 * PT_LOAD segment, at its physical (load) address p_paddr: for .data, p_vaddr is the RAM address
 * and p_paddr the flash copy the startup code reads. p_memsz beyond p_filesz (.bss) is not
 * flash content. Allocated sections whose bytes lie outside every loaded segment would silently
 * not be written: that gets a warning. */
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_int.h"

#define ELF_MAX_PHNUM 65535u

typedef struct img_elf {
	img_builder *b;
	Elf *e;
	size_t len;
	GElf_Phdr *loads; /* PT_LOAD headers with file bytes */
	size_t nloads;
	size_t phnum;
} img_elf;

static int elf_bad(img_elf *x, const char *fmt, ...) FK_PRINTF(2, 3);
static int elf_bad(img_elf *x, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	fk_hint(x->b->ctx, "the ELF file is damaged or not a firmware image: rebuild it");
	return fk_fail(x->b->ctx, FK_E_BAD_IMAGE, "%s: %s (libelf: %s)", x->b->name, what,
		       elf_errmsg(-1));
}

static int elf_load_phdr(img_elf *x, size_t i, uint64_t *total)
{
	GElf_Phdr ph;
	fk_ctx *ctx = x->b->ctx;
	const char *nm = x->b->name;
	if (!gelf_getphdr(x->e, (int)i, &ph))
		return elf_bad(x, "program header %zu: cannot read it: expected %zu headers of %zu "
				  "bytes inside the file", i, x->phnum, sizeof(Elf32_Phdr));
	if (ph.p_type != PT_LOAD || ph.p_filesz == 0)
		return 0; /* not loadable, or NOBITS only (.bss, stack) */
	if (ph.p_offset + ph.p_filesz > x->len)
		return fk_fail(ctx, FK_E_BAD_IMAGE,
			       "%s: program header %zu: bytes at file offset 0x%llX + 0x%llX run past "
			       "the end of the file (%zu bytes): expected them inside; truncated file?",
			       nm, i, (unsigned long long)ph.p_offset, (unsigned long long)ph.p_filesz,
			       x->len);
	if (ph.p_filesz > ph.p_memsz)
		return fk_fail(ctx, FK_E_BAD_IMAGE,
			       "%s: program header %zu: p_filesz 0x%llX exceeds p_memsz 0x%llX: "
			       "expected p_filesz <= p_memsz", nm, i, (unsigned long long)ph.p_filesz,
			       (unsigned long long)ph.p_memsz);
	*total += ph.p_filesz;
	if (*total > 4 * (uint64_t)x->len)
		return fk_fail(ctx, FK_E_BAD_IMAGE,
			       "%s: program headers describe %llu bytes in a file of %zu: expected "
			       "segments that do not repeat the same bytes", nm,
			       (unsigned long long)*total, x->len);
	x->loads[x->nloads++] = ph;
	return imgb_add(x->b, (uint32_t)ph.p_paddr, (const uint8_t *)elf_rawfile(x->e, NULL) +
							  ph.p_offset, (uint32_t)ph.p_filesz, (uint32_t)i);
}

static bool elf_in_loads(const img_elf *x, const GElf_Shdr *sh)
{
	for (size_t i = 0; i < x->nloads; i++) {
		const GElf_Phdr *p = &x->loads[i];
		if (sh->sh_offset >= p->p_offset &&
		    sh->sh_offset + sh->sh_size <= p->p_offset + p->p_filesz)
			return true;
	}
	return false;
}

/* Warns about allocated sections with file contents that no PT_LOAD segment carries. */
static void elf_check_sections(img_elf *x)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(x->e, &shstrndx) != 0)
		shstrndx = 0;
	size_t checked = 0;
	for (Elf_Scn *scn = elf_nextscn(x->e, NULL); scn && checked < 100000;
	     scn = elf_nextscn(x->e, scn), checked++) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS || sh.sh_size == 0 || elf_in_loads(x, &sh))
			continue;
		const char *name = shstrndx ? elf_strptr(x->e, shstrndx, sh.sh_name) : NULL;
		fk_log(x->b->ctx, FK_LOG_WARN, FK_TRACE_IMAGE,
		       "%s: section %s (0x%08llX, %llu bytes) is allocated but outside every loadable "
		       "segment: it will not be written", x->b->name, name ? name : "?",
		       (unsigned long long)sh.sh_addr, (unsigned long long)sh.sh_size);
	}
}

static int elf_check_header(img_elf *x, fk_image *img, size_t *phnum)
{
	GElf_Ehdr eh;
	const char *nm = x->b->name;
	if (elf_kind(x->e) != ELF_K_ELF)
		return fk_fail(x->b->ctx, FK_E_BAD_IMAGE,
			       "%s: offset 0: no readable ELF header in %zu bytes: expected a complete "
			       "ELF32 header (52 bytes); truncated file?", nm, x->len);
	if (gelf_getclass(x->e) != ELFCLASS32)
		return fk_fail(x->b->ctx, FK_E_BAD_IMAGE,
			       "%s: offset 4: ELF class %d: expected ELFCLASS32 (a 32-bit "
			       "microcontroller image)", nm, gelf_getclass(x->e));
	if (!gelf_getehdr(x->e, &eh))
		return elf_bad(x, "offset 0: cannot read the ELF header: expected 52 valid bytes");
	if (elf_getphdrnum(x->e, phnum) != 0)
		return elf_bad(x, "offset 0x1C: cannot locate the program headers: expected e_phoff "
				  "and e_phnum to describe a table inside the file");
	if (*phnum == 0 || *phnum > ELF_MAX_PHNUM)
		return fk_fail(x->b->ctx, FK_E_BAD_IMAGE,
			       "%s: offset 0x2C: %zu program headers: expected 1 to %u (a linked "
			       "executable, not an object file)", nm, *phnum, ELF_MAX_PHNUM);
	img_set_file_entry(img, (uint32_t)eh.e_entry);
	x->phnum = eh.e_phnum; /* libelf clamps *phnum to what fits; messages quote the header */
	return 0;
}

int img_load_elf(img_builder *b, fk_image *img, const uint8_t *buf, size_t len)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fk_fail(b->ctx, FK_E_INTERNAL, "libelf: %s", elf_errmsg(-1));
	img_elf x = {b, NULL, len, NULL, 0, 0};
	char *copy = malloc(len); /* libelf wants writable memory; keep the caller's const */
	if (!copy)
		return fk_fail(b->ctx, FK_E_NOMEM, "%s: out of memory", b->name);
	memcpy(copy, buf, len);
	x.e = elf_memory(copy, len);
	size_t phnum = 0;
	int rc = x.e ? elf_check_header(&x, img, &phnum)
		     : elf_bad(&x, "offset 0: not a readable ELF file: expected an ELF32 image");
	if (rc == 0 && !(x.loads = malloc(phnum * sizeof *x.loads)))
		rc = fk_fail(b->ctx, FK_E_NOMEM, "%s: out of memory", b->name);
	uint64_t total = 0;
	for (size_t i = 0; rc == 0 && i < phnum; i++)
		rc = elf_load_phdr(&x, i, &total);
	if (rc == 0)
		elf_check_sections(&x);
	free(x.loads);
	if (x.e)
		elf_end(x.e);
	free(copy);
	return rc;
}
