/* The classic Qt/C recipe: struct Person written raw with write(fd, &p, sizeof p).
 * Usage: person_client PORT. Sends five Persons three ways, reads the echo, compares byte for byte. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct Person { char name[128]; int age; };

static int read_all(int fd, char *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t) r;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct Person people[5];
  memset(people, 0, sizeof people);
  memset(people[0].name, 'x', sizeof people[0].name); /* 128 chars, no NUL */
  people[0].age = 128;
  for (int i = 1; i < 5; i++) {
    snprintf(people[i].name, sizeof people[i].name, "Person %d", i);
    people[i].age = 20 + i;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short) atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) { perror("connect"); return 2; }
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

  if (write(fd, &people[0], sizeof people[0]) != sizeof people[0]) return 3;      /* one struct */
  if (write(fd, &people[1], 3 * sizeof people[0]) != 3 * sizeof people[0]) return 3; /* three in one write */
  const char *p = (const char *) &people[4];                                   /* one dribbled */
  for (size_t off = 0; off < sizeof people[4]; off += 7) {
    size_t n = sizeof people[4] - off < 7 ? sizeof people[4] - off : 7;
    if (write(fd, p + off, n) != (ssize_t) n) return 3;
    usleep(1000);
  }
  struct Person echoed[5];
  if (read_all(fd, (char *) echoed, sizeof echoed) != 0) { fprintf(stderr, "short echo\n"); return 4; }
  if (memcmp(people, echoed, sizeof people) != 0) { fprintf(stderr, "echo differs\n"); return 5; }
  printf("OK %zu bytes echoed\n", sizeof echoed);
  close(fd);
  return 0;
}
