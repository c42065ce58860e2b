# LemonLDAP::NG's Demo authentication (Lemonldap::NG::Portal::Auth::Demo: password must equal
# the login), except for the launch contract's TEST_USER: the run passes the peer no password,
# so any non-empty password is accepted for that one demo account (as the idpyoidc peer does).
# Every other demo account keeps the Demo rule. Loaded by authentication = "Custom",
# customAuth = "Hybridcheck::Auth" (peers/llng/README.md, "Settings").
package Hybridcheck::Auth;

use strict;
use Mouse;
use Lemonldap::NG::Portal::Main::Constants qw(PE_OK PE_BADCREDENTIALS);

extends 'Lemonldap::NG::Portal::Auth::Demo';

sub authenticate {
    my ( $self, $req ) = @_;
    my $test_user = $ENV{TEST_USER} // '';
    my $password  = $req->data->{password} // '';
    if ( $test_user ne '' and $req->{user} eq $test_user ) {
        return PE_OK if length $password;
        $self->userLogger->warn("Empty password for $req->{user}");
        $self->setSecurity($req);
        return PE_BADCREDENTIALS;
    }
    return $self->SUPER::authenticate($req);
}

1;
