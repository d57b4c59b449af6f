"""Communities of practice: spaces where schools, authorities and partner organisations share
approaches and analysis (issue 15). Models, access, services, selectors, views and API here; the
live embeds a post carries are rendered by insight.embeds (a higher layer) through a template tag."""
