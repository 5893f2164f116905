#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
    int port = atoi(argv[1]);
    int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET; addr.sin_port = htons(port); addr.sin_addr.s_addr = INADDR_ANY;
    bind(a, (struct sockaddr *)&addr, sizeof addr); listen(a, 5);
    if (bind(b, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno; perror("bind");
        fprintf(stderr, "bind failed: %s\n", strerror(e));
        fprintf(stderr, "ERROR on binding: %s\n", strerror(e));
    }
    int c = socket(AF_INET, SOCK_STREAM, 0);
    addr.sin_port = htons(port + 1); addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c, (struct sockaddr *)&addr, sizeof addr) < 0) perror("connect");
    char buf[4];
    if (send(c, buf, 4, MSG_NOSIGNAL) < 0) perror("send");
    if (recv(99, buf, 4, 0) < 0) perror("recv");
    if (listen(c, 1) < 0) perror("listen");
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (sendto(u, buf, 0, 0, (struct sockaddr*)&addr, 3) < 0) perror("sendto");
    if (bind(u, (struct sockaddr*)&addr, sizeof addr) < 0) perror("bind");
    addr.sin_addr.s_addr = inet_addr("10.99.99.99");
    if (bind(u, (struct sockaddr*)&addr, sizeof addr) < 0) perror("bind");
    int u2 = socket(AF_INET, SOCK_DGRAM, 0);
    addr.sin_addr.s_addr = inet_addr("127.255.255.255");
    if (sendto(u2, buf, 1, 0, (struct sockaddr*)&addr, sizeof addr) < 0) perror("sendto");
    for (int e = 1; e < 134; e++) printf("%d %s\n", e, strerror(e));
    return 1;
}
