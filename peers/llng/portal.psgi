# LemonLDAP::NG's portal PSGI app (what Debian's index.psgi runs) plus the two static trees
# Debian's nginx site serves (/static, /javascript), for plain `plackup` on 127.0.0.1.
use strict;
use Plack::Builder;
use Plack::App::File;
use Lemonldap::NG::Portal::Main;

my $portal = Lemonldap::NG::Portal::Main->run( {} );

builder {
    mount '/static/' =>
      Plack::App::File->new( root => '/usr/share/lemonldap-ng/portal/htdocs/static' )->to_app;
    mount '/javascript/' => Plack::App::File->new( root => '/usr/share/javascript' )->to_app;
    mount '/' => $portal;
};
