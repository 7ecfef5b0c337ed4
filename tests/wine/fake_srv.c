/* fake_srv.c: the (empty) code of the fake srv.sys; only its version resource matters. */
int fake_srv_marker(void);
int fake_srv_marker(void)
{
    return 6021;
}
