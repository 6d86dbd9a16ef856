//! Click-to-call events (`widget_clicks`) and the lookup that attributes a call to a click.
