//! Emission spectra and the TCS34725-like channel responsivities (MODEL.md §3, §5.1):
//! a source's reading per channel `[r, g, b, c]`, normalised to clear = 1.

/// A spectrum: a sum of Gaussian lines `(peak nm, FWHM nm, weight)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spectrum(pub Vec<(f64, f64, f64)>);

impl Spectrum {
    /// A single LED line.
    pub fn led(peak: f64, fwhm: f64) -> Spectrum {
        Spectrum(vec![(peak, fwhm, 1.0)])
    }

    /// A phosphor white: a blue pump line plus a broad phosphor band.
    pub fn white(pump: f64, pump_weight: f64, phosphor: f64, phosphor_fwhm: f64) -> Spectrum {
        Spectrum(vec![
            (pump, 20.0, pump_weight),
            (phosphor, phosphor_fwhm, 1.0),
        ])
    }

    fn power(&self, nm: f64) -> f64 {
        self.0
            .iter()
            .map(|&(peak, fwhm, w)| w * gauss(nm, peak, fwhm / 2.355))
            .sum()
    }

    /// The reading per channel `[r, g, b, c]` with clear = 1.
    pub fn channels(&self) -> [f64; 4] {
        let mut acc = [0.0; 4];
        for i in 0..=620 {
            let nm = 380.0 + i as f64;
            let p = self.power(nm);
            for (a, r) in acc.iter_mut().zip(responsivity(nm)) {
                *a += p * r;
            }
        }
        acc.map(|a| a / acc[3])
    }
}

fn gauss(x: f64, mu: f64, sigma: f64) -> f64 {
    (-(x - mu).powi(2) / (2.0 * sigma * sigma)).exp()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `[r, g, b, c]` responsivity at `nm` (relative units).
fn responsivity(nm: f64) -> [f64; 4] {
    let ir_cut = logistic((690.0 - nm) / 10.0 * 4.0);
    let uv_cut = logistic((nm - 400.0) / 5.0);
    let beyond_700 = logistic((nm - 700.0) / 10.0 * 4.0);
    let leak = 0.04 * uv_cut;
    let colour = |peak: f64, sigma: f64| {
        (gauss(nm, peak, sigma) + leak) * ir_cut * uv_cut + 0.03 * beyond_700
    };
    let (r, g, b) = (
        colour(628.0, 36.0),
        colour(535.0, 38.0),
        colour(465.0, 32.0),
    );
    [r, g, b, r + g + b + 0.05 * beyond_700]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TCS34725 datasheet's channel/clear ratio ranges at three LED wavelengths.
    #[test]
    fn ratios_match_the_datasheet_table() {
        let [r, g, b, _] = Spectrum::led(465.0, 22.0).channels();
        assert!((0.65..=0.88).contains(&b) && (0.10..=0.42).contains(&g) && r <= 0.15);
        let [r, g, b, _] = Spectrum::led(525.0, 35.0).channels();
        assert!((0.60..=0.85).contains(&g) && (0.04..=0.45).contains(&b) && r <= 0.25);
        let [r, g, b, _] = Spectrum::led(615.0, 18.0).channels();
        assert!((0.80..=1.0).contains(&r) && g <= 0.14 && b <= 0.24);
    }

    #[test]
    fn clear_is_the_largest_and_white_is_unsaturated() {
        for s in [
            Spectrum::led(470.0, 25.0),
            Spectrum::led(590.0, 15.0),
            Spectrum::white(450.0, 0.15, 600.0, 120.0),
            Spectrum::white(450.0, 0.7, 555.0, 115.0),
        ] {
            let ch = s.channels();
            assert!(ch[..3].iter().all(|&x| x > 0.0 && x < 1.0), "{ch:?}");
        }
        let [r, g, b, _] = Spectrum::white(450.0, 0.7, 555.0, 115.0).channels();
        let (hi, lo) = (r.max(g).max(b), r.min(g).min(b));
        assert!(lo / hi > 0.4, "cool white too saturated: {r} {g} {b}");
    }
}
