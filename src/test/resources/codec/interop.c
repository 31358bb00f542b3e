/* Mirrors interop.conf. "write DIR" fills each struct with known values, fwrite()s it to
   DIR/<Name>.bin and prints its fields; "read DIR" fread()s DIR/<Name>.in and prints them the
   same way; "layout" prints sizeof/_Alignof/offsetof (generated part, see LAYOUT_LINES). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Person { char name[128]; int age; };
struct Mixed { int8_t a; int64_t b; int8_t c; double d; char s[3]; int16_t e; };
struct Point { int16_t x; double y; };
struct Nested { int8_t tag; struct Point origin; int16_t v[3]; uint8_t flag; struct Point pts[2]; uint32_t u; };
struct __attribute__((packed)) Packed { int8_t a; int32_t b; int16_t c; int64_t d; struct Point p; uint16_t arr[2]; };
#pragma pack(push, 1)
struct Pragma { char s[5]; uint32_t u; double f; bool ok; int8_t t; };
#pragma pack(pop)
struct Bits {
  uint16_t id;
  uint32_t valid : 1; uint32_t channel : 4; int32_t gain : 3; uint32_t big : 30;
  uint8_t small : 3; int64_t wide : 40; uint32_t : 0; uint8_t last;
  bool flag : 1; uint16_t : 2; int16_t neg : 7;
};
struct __attribute__((packed)) PackedBits { uint8_t a; uint32_t x : 12; uint32_t y : 30; int16_t z : 5; uint8_t b; };
struct Misc { uint64_t big; float f; unsigned char raw[5]; char l[6]; char sp[8]; bool ok; int64_t neg; };
#define BE __attribute__((scalar_storage_order("big-endian")))
struct BE NetPoint { int32_t x; uint16_t y; };
struct BE Net {
  uint32_t version : 4; uint32_t ihl : 4; uint8_t tos; uint16_t len;
  int32_t a : 3; uint32_t b : 10; int64_t c : 33; double d; int16_t e[2]; struct NetPoint p;
};

/* Static storage: padding starts zeroed, so the files are byte-comparable with Java's output. */
static struct Person person; static struct Mixed mixed; static struct Nested nested;
static struct Packed packed; static struct Pragma pragma; static struct Bits bits;
static struct PackedBits packedBits; static struct Misc misc; static struct Net net;

static void fill(void) {
  memset(person.name, 'n', 127); person.name[127] = 'Z'; person.age = -42;
  mixed.a = -5; mixed.b = -9000000000000LL; mixed.c = 100; mixed.d = 3.25; memcpy(mixed.s, "ab", 2); mixed.e = -300;
  nested.tag = 7; nested.origin.x = -1; nested.origin.y = 0.5; nested.v[0] = 1; nested.v[1] = -2; nested.v[2] = 3;
  nested.flag = 255; nested.pts[0].x = 10; nested.pts[0].y = 1.25; nested.pts[1].x = 20; nested.pts[1].y = -2.5;
  nested.u = 4000000000u;
  packed.a = 1; packed.b = -2; packed.c = 3; packed.d = -4; packed.p.x = 5; packed.p.y = 6.5; packed.arr[0] = 7; packed.arr[1] = 65535;
  memcpy(pragma.s, "hey", 3); pragma.u = 123456789; pragma.f = -0.125; pragma.ok = true; pragma.t = -1;
  bits.id = 513; bits.valid = 1; bits.channel = 9; bits.gain = -3; bits.big = 1000000000; bits.small = 5;
  bits.wide = -549755813888LL; bits.last = 200; bits.flag = true; bits.neg = -64;
  packedBits.a = 1; packedBits.x = 4095; packedBits.y = 123456789; packedBits.z = -16; packedBits.b = 66;
  misc.big = 18446744073709551615ULL; misc.f = 1.5f; unsigned char raw[5] = {1, 2, 3, 254, 255};
  memcpy(misc.raw, raw, 5); memcpy(misc.l, "Zo\xe9", 3); memcpy(misc.sp, "AB      ", 8); misc.ok = true; misc.neg = -1;
  net.version = 4; net.ihl = 5; net.tos = 16; net.len = 258; net.a = -2; net.b = 1000; net.c = -4294967296LL;
  net.d = 2.5; net.e[0] = -2; net.e[1] = 300; net.p.x = -70000; net.p.y = 65000;
}

static void dump(void) {
  printf("Person.name=%.*s\nPerson.age=%d\n", 128, person.name, person.age);
  printf("Mixed=%d %lld %d %.17g %.3s %d\n", mixed.a, (long long)mixed.b, mixed.c, mixed.d, mixed.s, mixed.e);
  printf("Nested=%d %d %.17g %d %d %d %u %d %.17g %d %.17g %u\n", nested.tag, nested.origin.x, nested.origin.y,
         nested.v[0], nested.v[1], nested.v[2], nested.flag, nested.pts[0].x, nested.pts[0].y, nested.pts[1].x,
         nested.pts[1].y, nested.u);
  printf("Packed=%d %d %d %lld %d %.17g %u %u\n", packed.a, packed.b, packed.c, (long long)packed.d, packed.p.x,
         packed.p.y, packed.arr[0], packed.arr[1]);
  printf("Pragma=%.5s %u %.17g %d %d\n", pragma.s, pragma.u, pragma.f, pragma.ok, pragma.t);
  printf("Bits=%u %u %u %d %u %u %lld %u %d %d\n", bits.id, bits.valid, bits.channel, bits.gain, bits.big,
         bits.small, (long long)bits.wide, bits.last, bits.flag, bits.neg);
  printf("PackedBits=%u %u %u %d %u\n", packedBits.a, packedBits.x, packedBits.y, packedBits.z, packedBits.b);
  printf("Misc=%llu %.9g %u %u %u %u %u %02x%02x%02x %.8s| %d %lld\n", (unsigned long long)misc.big, misc.f,
         misc.raw[0], misc.raw[1], misc.raw[2], misc.raw[3], misc.raw[4], (unsigned char)misc.l[0],
         (unsigned char)misc.l[1], (unsigned char)misc.l[2], misc.sp, misc.ok, (long long)misc.neg);
  printf("Net=%u %u %u %u %d %u %lld %.17g %d %d %d %u\n", net.version, net.ihl, net.tos, net.len, net.a, net.b,
         (long long)net.c, net.d, net.e[0], net.e[1], net.p.x, net.p.y);
}

#define EACH(X) X(Person, person) X(Mixed, mixed) X(Nested, nested) X(Packed, packed) X(Pragma, pragma) \
  X(Bits, bits) X(PackedBits, packedBits) X(Misc, misc) X(Net, net)

static FILE *open_in(const char *dir, const char *name, const char *ext, const char *mode) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
  FILE *f = fopen(path, mode);
  if (!f) { perror(path); exit(3); }
  return f;
}

#define WRITE(N, v) { FILE *f = open_in(dir, #N, "bin", "wb"); fwrite((void *)&v, sizeof v, 1, f); fclose(f); }
#define READ(N, v) { FILE *f = open_in(dir, #N, "in", "rb"); \
  if (fread((void *)&v, sizeof v, 1, f) != 1) { fprintf(stderr, "short read %s\n", #N); exit(4); } fclose(f); }

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "layout") == 0) {
LAYOUT_LINES
    return 0;
  }
  if (argc != 3) return 2;
  const char *dir = argv[2];
  if (strcmp(argv[1], "write") == 0) { fill(); EACH(WRITE) }
  else { EACH(READ) }
  dump();
  return 0;
}
